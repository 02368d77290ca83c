"""The throwaway cluster helper starts a real PostgreSQL from the embedded binaries (as root too) and cleans up."""

from dbops.cluster import throwaway_cluster


def test_throwaway_cluster_starts_answers_and_is_removed():
    with throwaway_cluster(settings={"wal_level": "replica"}) as cluster:
        assert cluster.execute("SHOW wal_level") == [("replica",)]
        cluster.execute("CREATE TABLE marker (id int)")
        cluster.execute("INSERT INTO marker VALUES (1)")
        assert cluster.execute("SELECT count(*) FROM marker") == [(1,)]
        root = cluster.root
    assert not root.exists()
