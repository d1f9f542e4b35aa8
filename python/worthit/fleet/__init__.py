"""``worthit fleet``: the same bench on every host of a Dask cluster.

``python -m worthit.fleet run`` (what ``worthit fleet run`` runs) is the
client (client.py); job.py is what each worker runs; ssh.py starts the
workers over SSH (``--cluster ssh``). docs/fleet.md.
"""
