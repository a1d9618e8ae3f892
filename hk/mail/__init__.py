"""Email to customers and staff: queued with the change that causes it, sent off the request.

addresses.py (which addresses, the sender), notices.py (each kind of message, in the recipient's
language), service.py (queue, claim, send, retry, sweep), building.py (the email itself) and
transport.py (SMTP or the .eml outbox). The queue tasks are hk.queue.send_message and sweep_messages.
"""
