"""The skills profile in the portal: counsellors' interviews, encrypted at rest.

The rules (classifications, next steps, aggregation) are the library's
(:mod:`zaragoza.skills`); permissions are the accounts app's; this app keeps profiles in
Django's database, sealed with keys from the environment (:mod:`.crypto`).
"""
