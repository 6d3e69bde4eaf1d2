"""Policies that find the firm: policies as dated data, 我的政策, the sandbox, push lists, awards and disclosure."""
