"""Excel in and out (Excel 导入导出): templates, reading, the import use case, exports, and their pages."""
