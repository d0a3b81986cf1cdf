"""Writing workbooks people work in: specs from the store, styled sheets, exports."""
