"""The human review queue: routing, leased claims, decisions, second review, complaints, appeals, strikes.

Public entry points (plain functions of a :class:`~modpipe.runtime.Runtime` and a
:class:`~modpipe.accounts.Principal`; the HTTP layer only parses and renders):

- :func:`review_queue.routing.pipeline_task` (called by ``workers.tasks.finalize``)
- :func:`review_queue.claims.claim_next`, :func:`review_queue.claims.release`
- :func:`review_queue.decisions.decide` with :class:`review_queue.decisions.DecisionInput`
- :func:`review_queue.cases.file_complaint`, :func:`review_queue.cases.file_appeal`
- :func:`review_queue.strikes.expire_restrictions` (for the sweeper)
- :func:`review_queue.display.mask_for` (what a role may see of personal data)
- routers: :mod:`review_queue.api` (``/v1``), :mod:`review_queue.pages` (``/review``),
  :mod:`review_queue.org_pages` (``/org``); load test: :func:`review_queue.loadtest.main`
"""
