"""Policy applications (申报兑现): a firm applies under an open batch of a policy that needs an application,
officials of the policy's jurisdiction review it step by step, the top level decides the amount (an award
in tidu.policies) and records the payouts; the firm follows it to the last payment.

The third kind of filing on the shared workflow (tidu.filing; docs/decisions/0088-one-filing-workflow.md).
"""
