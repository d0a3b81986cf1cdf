"""Reading HR's files: an untrusted .xlsx, .ods or .csv checked, unpacked and read into
typed, row-numbered rows (reader.read_roster). Never touches the store."""
