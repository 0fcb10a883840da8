"""Security audit trail (安全审计): who signed in, changed an account, a setting or a catalogue, exported or
imported data, from which address; append-only, chained like the workflow history."""
