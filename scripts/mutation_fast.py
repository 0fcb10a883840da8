"""pytest plugin for `make mutation` (loaded on every mutant's run): Hypothesis without its shrink phase and its
example database. A mutant needs one failing example, not the smallest one; shrinking it took up to a minute per
killed mutant of the identifiers on the shared machine (mutmut's "suspicious")."""
from hypothesis import Phase, settings

settings.register_profile("mutation", phases=[Phase.explicit, Phase.reuse, Phase.generate], database=None,
                          deadline=None)
settings.load_profile("mutation")
