"""The offline dialog's intent handlers, one concern per module, put together by ``ai_conversations.dialog.Dialog``.

``base`` holds the turn's helpers and the message builders; ``proposals`` is the one confirmation rule (every create,
reschedule and cancel is a proposal first); ``booking`` finds and offers times; ``changes`` picks and changes the
customer's own bookings; ``info`` answers questions and hands off.
"""
