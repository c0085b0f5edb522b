"""CDM links and jobs: the stored and compared forms, secrets, clusters (core/cdm.py)."""

from __future__ import annotations

import json

import pytest
from support import EXAMPLES

from jobsync.core import cdm
from jobsync.core.cdm import CdmKey, CdmKind, CdmSpec, Cluster
from jobsync.core.model import Kind
from jobsync.errors import MissingSecretError

CDM_EXAMPLES = EXAMPLES / "cdm"
LINK = CdmKey("集群", CdmKind.LINK, "sftp_link")


def example(name: str) -> dict:
    return json.loads((CDM_EXAMPLES / name).read_text(encoding="utf-8"))


def test_strip_drops_server_fields_and_input_metadata_keeping_order_and_types():
    shown = example("link-show.response.json")["links"][0]

    stored = cdm.strip(CdmKind.LINK, shown)

    assert list(stored) == ["name", "connector-name", "enabled", "link-config-values"]
    inputs = stored["link-config-values"]["configs"][0]["inputs"]
    assert inputs[1] == {"name": "linkConfig.port", "value": 22}  # an int stays an int
    assert inputs[3] == {"name": "linkConfig.password"}  # the service returns no value


def test_strip_of_a_job_drops_its_read_only_fields_and_spells_empty_inputs_as_a_list():
    job = example("job-create.request.json")["jobs"][0]
    shown = {**job, "status": "NEW", "creation-date": 1, "execute_start_date": 2, "rows_read": 0}

    stored = cdm.strip(CdmKind.JOB, shown)

    assert "status" not in stored and "execute_start_date" not in stored and "rows_read" not in stored
    empties = [c for c in stored["driver-config-values"]["configs"] if c["name"] in ("jarConfig", "transformConfig")]
    assert empties and all(c["inputs"] == [] for c in empties)


def test_secrets_are_not_compared_but_every_other_value_is_type_exactly():
    created = example("link-create.request.json")["links"][0]
    with_reference, named = cdm.with_secret_references(LINK, created)
    shown = cdm.strip(CdmKind.LINK, created)
    for item in cdm.inputs(shown, CdmKind.LINK):
        if item["name"] == "linkConfig.password":
            del item["value"]  # what a read gives

    assert len(named) == 1 and named[0].endswith("_SFTP_LINK_PASSWORD")
    assert cdm.same(CdmKind.LINK, with_reference, shown)
    changed = json.loads(json.dumps(shown).replace('"value": false', '"value": 0'))
    assert not cdm.same(CdmKind.LINK, with_reference, changed)  # false and 0 differ


def test_export_keeps_a_reference_the_repo_already_has_and_never_a_placeholder():
    shown = example("link-show-doc-variant.response.json")["links"][0]

    stored, named = cdm.with_secret_references(LINK, cdm.strip(CdmKind.LINK, shown), {"linkConfig.password": "SFTP_PW"})

    assert named == ["SFTP_PW"]
    assert "Add password here" not in json.dumps(stored, ensure_ascii=False)
    assert cdm.secret_variables(stored, CdmKind.LINK) == {"linkConfig.password": "SFTP_PW"}


@pytest.mark.parametrize(
    ("cluster", "link", "param", "expected"),
    [
        ("cdm-dev", "dws_link", "linkConfig.password", "CDM_CDM_DEV_DWS_LINK_PASSWORD"),
        ("c", "obs", "linkConfig.securityKey", "CDM_C_OBS_SECURITYKEY"),
    ],
)
def test_env_name_is_a_valid_variable_name(cluster, link, param, expected):
    assert cdm.env_name(cluster, link, param) == expected
    assert cdm.ENV_NAME.match(cdm.env_name("集群", "链接", param))


def test_resolve_secrets_fills_values_and_refuses_naming_every_missing_variable():
    body, _ = cdm.with_secret_references(
        LINK, example("link-create.request.json")["links"][0], {"linkConfig.password": "PW"}
    )
    spec = CdmSpec(LINK, body)

    resolved = cdm.resolve_secrets([spec], {"PW": "s3cr3t"})
    with pytest.raises(MissingSecretError) as refused:
        cdm.resolve_secrets([spec], {})

    values = {i["name"]: i.get("value") for i in cdm.inputs(resolved[LINK], CdmKind.LINK)}
    assert values["linkConfig.password"] == "s3cr3t"
    assert "PW" in str(refused.value) and "nothing was written" in str(refused.value)
    assert spec.body["link-config-values"]["configs"][0]["inputs"][5]["value"] == {"secret": "PW"}  # unchanged


def test_plain_secrets_finds_values_and_placeholders_not_references():
    plain = example("link-create.request.json")["links"][0]
    placeholder = example("link-show-doc-variant.response.json")["links"][0]
    referenced, _ = cdm.with_secret_references(LINK, plain)

    assert cdm.plain_secrets(plain, CdmKind.LINK) == ["linkConfig.password"]
    assert cdm.plain_secrets(cdm.strip(CdmKind.LINK, placeholder), CdmKind.LINK) == ["linkConfig.password"]
    assert cdm.plain_secrets(referenced, CdmKind.LINK) == []


def test_cluster_list_example_reads_as_a_running_cluster():
    clusters = [Cluster.from_api(c) for c in example("cluster-list.response.json")["clusters"]]

    verdict = cdm.resolve_cluster("etl", {"etl": "cdm-c018"}, clusters)

    assert verdict.reason is None and verdict.cluster is not None and verdict.cluster.running


@pytest.mark.parametrize(
    ("clusters", "words"),
    [
        ([Cluster("1", "cdm-prod", "900")], ["not running", "status 900: stopped", "mappings.cdm_clusters"]),
        ([Cluster("1", "cdm-prod", "200", frozen=True)], ["not running", "frozen"]),
        ([Cluster("1", "cdm-prd", "200")], ["not in the workspace's cluster list", "did you mean 'cdm-prd'"]),
        ([Cluster("1", "cdm-prod", "200"), Cluster("2", "cdm-prod", "200")], ["used by 2 clusters"]),
    ],
)
def test_a_cluster_that_cannot_be_used_gives_a_reason_naming_what_to_do(clusters, words):
    verdict = cdm.resolve_cluster("etl", {"etl": "cdm-prod"}, clusters)

    assert verdict.reason is not None
    assert "'cdm-prod' (mapped from 'etl'" in verdict.reason
    for word in words:
        assert word in verdict.reason


def test_mapped_renames_cluster_link_and_a_jobs_link_names_and_inverted_reads_back():
    clusters, links = {"etl": "cdm-prod"}, {"dws_link": "生产_dws"}
    job = {"name": "j", "from-link-name": "mysql_link", "to-link-name": "dws_link"}

    link_name, link_body = cdm.mapped(Kind.CDM_LINK, "etl/dws_link", {"name": "dws_link"}, clusters, links)
    job_name, job_body = cdm.mapped(Kind.CDM_JOB, "etl/j", job, clusters, links)
    back, _ = cdm.mapped(Kind.CDM_LINK, link_name, link_body, cdm.inverted(clusters), cdm.inverted(links))

    assert (link_name, link_body) == ("cdm-prod/生产_dws", {"name": "生产_dws"})
    assert (
        job_name == "cdm-prod/j"
        and job_body["to-link-name"] == "生产_dws"
        and job_body["from-link-name"] == "mysql_link"
    )
    assert job == {"name": "j", "from-link-name": "mysql_link", "to-link-name": "dws_link"}  # not changed in place
    assert back == "etl/dws_link"
