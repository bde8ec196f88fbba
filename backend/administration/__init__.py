"""Administration (administration de l'organisation): an organisation's first day and after.

Organisations, the unit tree, people, delegations, supplier companies and their users, supplier
self-registration, invitations by link, integration keys and expense rule sets, for the admin
role (``controllers``), the CSV import of an org chart (``csv_import`` pure, ``importing``) and
the first steps on the command line (``commands``: ``nomade init``, ``nomade import-people``).
"""
