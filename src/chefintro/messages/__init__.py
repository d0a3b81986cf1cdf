"""The year's messages: introductions, peer-group letters and reminders, as drafts or sent.

``content`` gathers what each message is about from the store, ``render`` fills the
Jinja2 templates (the only jinja2 importer), ``mime`` builds the e-mails and the draft
files, ``smtp`` delivers them (the only smtplib importer), ``records`` keeps who was sent
what, and ``service`` ties them together for the command line and the demo.
"""
