"""One filing workflow shared by every kind of filing a firm sends to officials: cultivation applications
and re-reviews (tidu.journey) and policy applications (tidu.policy_filings).

A filing freezes the firm's figures (each with its provenance mark) and an assessment, carries a signed
commitment, climbs review steps by jurisdiction level, and moves only through one conditional UPDATE on
its `version` (optimistic locking). This package holds the abstract model and the moves; each app keeps
its own statuses, permissions, messages and notifications (docs/decisions/0088-one-filing-workflow.md).
It is a plain package, not an app: it owns no table.
"""
