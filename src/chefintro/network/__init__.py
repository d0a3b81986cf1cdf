"""The network beyond the year: consent to be listed, the directory, alumni, ideas taken
home and the pipeline of managers (issue 35)."""
