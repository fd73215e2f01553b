package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// packageDigest reads the planned .tgz digest of a chart from plan --json.
func packageDigest(t *testing.T, h *harness, address string) string {
	t.Helper()
	var p struct {
		ResourceChanges []struct {
			Address string
			After   map[string]string
		} `json:"resource_changes"`
	}
	out := h.mustRelctl(exitOK, "plan", "--json")
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatal(err)
	}
	for _, c := range p.ResourceChanges {
		if c.Address == address {
			return c.After["digest"]
		}
	}
	t.Fatalf("plan has no %s", address)
	return ""
}

func TestE2E_lineageRecordsTheCommitPullRequestAndAttestations(t *testing.T) {
	h := newHarness(t)
	h.chart("alpha", "1.0.0")
	h.full("", "", fastRetry)
	const sha = "0123456789abcdef0123456789abcdef01234567"
	h.env["GITHUB_SHA"] = sha
	h.gh.SeedPull("acme", "charts", sha, 42, "Bump alpha.\n\n```attestation-map\n{\"alpha\": [\"https://github.com/acme/charts/attestations/1\"], \"beta\": [\"x\"]}\n```\n")
	// A later comment overrides the description, chart by chart.
	h.gh.SeedComment("acme", "charts", 42, "Rebuilt:\n~~~ attestation-map\n{\"alpha\": [\"https://github.com/acme/charts/attestations/7\"]}\n~~~\n")
	digest := packageDigest(t, h, `github_release_asset.alpha["alpha-1.0.0.tgz"]`)
	h.gh.SeedAttestation("acme", "charts", digest, json.RawMessage(`{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"}`))

	h.mustRelctl(exitOK, "apply", "--auto-approve")
	rel := h.releasesFor("alpha-v1.0.0")[0]
	var data []byte
	for _, a := range rel.Assets {
		if a.Name == "alpha-attestation-lineage.json" {
			data = a.Data
		}
	}
	var l struct {
		SchemaVersion string `json:"schema_version"`
		SourceCommit  string `json:"source_commit"`
		PackageDigest string `json:"package_digest"`
		PullRequest   struct {
			Number int
			URL    string
		} `json:"pull_request"`
		Attestations struct {
			Upstream []string
			GitHub   []map[string]any
		}
	}
	if err := json.Unmarshal(data, &l); err != nil {
		t.Fatalf("lineage file: %v\n%s", err, data)
	}
	if l.SchemaVersion != "1" || l.SourceCommit != sha || l.PackageDigest != digest || l.PullRequest.Number != 42 || !strings.HasSuffix(l.PullRequest.URL, "/acme/charts/pull/42") {
		t.Errorf("lineage file:\n%s", data)
	}
	if len(l.Attestations.Upstream) != 1 || l.Attestations.Upstream[0] != "https://github.com/acme/charts/attestations/7" {
		t.Errorf("upstream attestations = %v, want the comment's entry", l.Attestations.Upstream)
	}
	if len(l.Attestations.GitHub) != 1 || l.Attestations.GitHub[0]["bundle"] == nil {
		t.Errorf("GitHub attestations = %v", l.Attestations.GitHub)
	}

	// Published, the lineage file is the ledger: an attestation added later
	// changes nothing, and a no-change plan asks GitHub for no lineage.
	h.gh.SeedAttestation("acme", "charts", digest, json.RawMessage(`{"mediaType":"later"}`))
	h.gh.ResetLog()
	h.mustRelctl(exitOK, "plan", "--detailed-exitcode")
	if n := len(h.gh.Log()); n != 1 {
		t.Errorf("a no-change plan made %d GitHub requests, want 1: %v", n, h.gh.Log())
	}
	out := h.mustRelctl(exitOK, "verify")
	if !strings.Contains(out, "alpha-attestation-lineage.json records sha256:") {
		t.Errorf("verify does not check the lineage:\n%s", out)
	}
}

func TestE2E_malformedAttestationMapIsAWarningNotAFailure(t *testing.T) {
	h := newHarness(t)
	h.chart("alpha", "1.0.0")
	h.full("", "", fastRetry)
	const sha = "89abcdef0123456789abcdef0123456789abcdef"
	h.env["GITHUB_SHA"] = sha
	h.gh.SeedPull("acme", "charts", sha, 7, "```attestation-map\nnot json\n```\n")
	out := h.mustRelctl(exitOK, "plan")
	if !strings.Contains(out, "the attestation-map block in the description of pull request #7 is not a JSON object") {
		t.Fatalf("plan does not warn about the malformed map:\n%s", out)
	}
	h.mustRelctl(exitOK, "apply", "--auto-approve")
}
