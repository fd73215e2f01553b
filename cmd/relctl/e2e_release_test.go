package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/relctl/relctl/providers/github/githubtest"
)

const fastRetry = `
retry {
  attempts    = 3
  min_backoff = "1ms"
  max_backoff = "5ms"
}
`

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(s[:])
}

func (h *harness) releases() []githubtest.Release { return h.gh.Releases("acme", "charts") }

func (h *harness) releasesFor(tag string) []githubtest.Release {
	var out []githubtest.Release
	for _, r := range h.releases() {
		if r.TagName == tag {
			out = append(out, r)
		}
	}
	return out
}

func assetNames(r githubtest.Release) []string {
	var out []string
	for _, a := range r.Assets {
		out = append(out, a.Name)
	}
	return out
}

// registryLayerDigest is the digest of the chart layer the registry holds.
func registryLayerDigest(t *testing.T, h *harness, chart, tag string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, "http://"+h.reg.Host+"/v2/acme/charts/"+chart+"/manifests/"+tag, nil)
	req.Header.Set("Accept", "application/vnd.oci.image.manifest.v1+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m struct {
		Layers []struct{ Digest string } `json:"layers"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil || len(m.Layers) != 1 {
		t.Fatalf("manifest of %s:%s: %v (%d layers)", chart, tag, err, len(m.Layers))
	}
	return m.Layers[0].Digest
}

func TestE2E_freshPublishOfThreeChartsMakesCompletePublishedReleases(t *testing.T) {
	h := newHarness(t)
	threeCharts(h)
	h.write("LICENSE", "MIT\n")
	h.write("charts/alpha/LICENSE", "Apache-2.0\n")
	h.full("", "", fastRetry)
	h.mustRelctl(exitOK, "apply", "--auto-approve")

	rels := h.releases()
	if len(rels) != 3 {
		t.Fatalf("%d releases, want 3", len(rels))
	}
	for _, tc := range []struct{ chart, version, tag, ociTag string }{
		{"alpha", "1.0.0", "alpha-v1.0.0", "1.0.0"},
		{"beta", "0.2.0", "beta-v0.2.0", "0.2.0"},
		{"gamma", "3.1.4+build.7", "gamma-v3.1.4+build.7", "3.1.4_build.7"},
	} {
		rs := h.releasesFor(tc.tag)
		if len(rs) != 1 || rs[0].Draft {
			t.Fatalf("%s: releases %+v, want one published", tc.tag, rs)
		}
		r := rs[0]
		if r.Name != tc.chart+": v"+tc.version || r.MakeLatest != "false" {
			t.Errorf("%s: title %q make_latest %q", tc.tag, r.Name, r.MakeLatest)
		}
		if !strings.Contains(r.Body, "helm install "+tc.chart+" oci://"+h.reg.Host+"/acme/charts/"+tc.chart+" --version "+tc.version) {
			t.Errorf("%s: notes lack the install command:\n%s", tc.tag, r.Body)
		}
		want := []string{tc.chart + "-" + tc.version + ".tgz", tc.chart + "-attestation-lineage.json", "CHANGELOG.md", "README.md"}
		if tc.chart == "alpha" {
			want = append(want, "LICENSE")
		}
		if got := assetNames(r); strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s: assets %v, want %v", tc.tag, got, want)
		}
		for _, a := range r.Assets {
			if a.State != "uploaded" || a.Digest != sha(a.Data) {
				t.Errorf("%s/%s: state %q digest %s, data sha %s", tc.tag, a.Name, a.State, a.Digest, sha(a.Data))
			}
			if a.Name == "README.md" {
				local, _ := os.ReadFile(filepath.Join(h.dir, "charts", tc.chart, "README.md"))
				if string(local) != string(a.Data) {
					t.Errorf("%s: README.md differs from the local file", tc.tag)
				}
			}
			if strings.HasSuffix(a.Name, ".tgz") {
				if layer := registryLayerDigest(t, h, tc.chart, tc.ociTag); layer != a.Digest {
					t.Errorf("%s: registry chart layer %s ≠ release .tgz %s", tc.tag, layer, a.Digest)
				}
			}
			if strings.HasSuffix(a.Name, "-attestation-lineage.json") {
				var l struct {
					Chart, Version, Tag, Digest string
					PackageDigest               string `json:"package_digest"`
				}
				if err := json.Unmarshal(a.Data, &l); err != nil {
					t.Fatalf("%s: lineage file: %v\n%s", tc.tag, err, a.Data)
				}
				if l.Chart != tc.chart || l.Version != tc.version || l.Tag != tc.tag || l.Digest != resolve(t, h.reg, tc.chart, tc.ociTag) || l.PackageDigest != registryLayerDigest(t, h, tc.chart, tc.ociTag) {
					t.Errorf("%s: lineage file records %+v", tc.tag, l)
				}
			}
		}
	}

	// The second apply does nothing at all.
	h.gh.ResetLog()
	h.reg.ResetRequests()
	out := h.mustRelctl(exitOK, "apply", "--auto-approve")
	if !strings.Contains(out, "No changes.") {
		t.Errorf("second apply:\n%s", out)
	}
	if m := h.gh.Mutations(); m != 0 {
		t.Errorf("second apply made %d GitHub mutations: %v", m, h.gh.Log())
	}
	if w := h.reg.Writes(); w != 0 {
		t.Errorf("second apply made %d registry writes", w)
	}
}

func TestE2E_releaseWithTwoOfFiveAssetsGetsOnlyTheThreeMissing(t *testing.T) {
	h := newHarness(t)
	h.chart("alpha", "1.0.0")
	h.write("charts/alpha/LICENSE", "Apache-2.0\n")
	h.write("docs/SECURITY.md", "Report issues privately.\n")
	h.full("", "", fastRetry+"\nrelease {\n  files   = [\"docs/*.md\"]\n  lineage = false\n}\n")
	h.mustRelctl(exitOK, "plan") // five assets planned
	readme, _ := os.ReadFile(filepath.Join(h.dir, "charts/alpha/README.md"))
	license, _ := os.ReadFile(filepath.Join(h.dir, "charts/alpha/LICENSE"))
	h.gh.SeedRelease("acme", "charts", githubtest.Release{TagName: "alpha-v1.0.0", Name: "alpha: v1.0.0", Draft: true,
		Assets: []githubtest.Asset{{Name: "README.md", Data: readme, ContentType: "text/markdown"}, {Name: "LICENSE", Data: license, ContentType: "text/plain"}}})

	h.gh.ResetLog()
	h.mustRelctl(exitOK, "apply", "--auto-approve")
	if n := h.gh.Count("POST /repos/{owner}/{repo}/releases/{release_id}/assets"); n != 3 {
		t.Errorf("%d uploads, want 3 (the missing .tgz, CHANGELOG.md, SECURITY.md); log %v", n, h.gh.Log())
	}
	rs := h.releasesFor("alpha-v1.0.0")
	if len(rs) != 1 || rs[0].Draft || len(rs[0].Assets) != 5 {
		t.Fatalf("release after apply: %+v", rs)
	}
}

func TestE2E_draftsLeftByACrashedRunAreReusedNotDuplicated(t *testing.T) {
	h := newHarness(t)
	h.chart("alpha", "1.0.0")
	h.chart("beta", "0.2.0")
	h.full("", "", fastRetry)
	first := h.gh.SeedRelease("acme", "charts", githubtest.Release{TagName: "alpha-v1.0.0", Name: "alpha: v1.0.0", Draft: true})
	h.gh.SeedRelease("acme", "charts", githubtest.Release{TagName: "beta-v0.2.0", Draft: true})
	h.gh.SeedRelease("acme", "charts", githubtest.Release{TagName: "beta-v0.2.0", Draft: true})

	out := h.mustRelctl(exitChanges, "plan", "--detailed-exitcode")
	if !strings.Contains(out, "duplicate draft") {
		t.Errorf("plan does not show the duplicate drafts:\n%s", out)
	}
	h.mustRelctl(exitOK, "apply", "--auto-approve")
	alpha := h.releasesFor("alpha-v1.0.0")
	if len(alpha) != 1 || alpha[0].ID != first.ID || alpha[0].Draft {
		t.Errorf("alpha releases: %+v, want draft %d reused and published", alpha, first.ID)
	}
	beta := h.releasesFor("beta-v0.2.0")
	if len(beta) != 1 || beta[0].Draft {
		t.Errorf("beta releases: %+v, want one published", beta)
	}
}

func TestE2E_assetConflictIsBlockedUnderFailAndReplacedUnderReplace(t *testing.T) {
	h := newHarness(t)
	h.chart("alpha", "1.0.0")
	h.full("", "", fastRetry)
	h.gh.SeedRelease("acme", "charts", githubtest.Release{TagName: "alpha-v1.0.0", Name: "alpha: v1.0.0", Draft: true,
		Assets: []githubtest.Asset{{Name: "README.md", Data: []byte("someone else's readme")}}})

	out := h.mustRelctl(exitError, "plan")
	if !strings.Contains(out, `! github_release_asset.alpha["README.md"]`) || !strings.Contains(out, `on_asset_conflict = "fail"`) {
		t.Fatalf("plan under fail:\n%s", out)
	}
	h.gh.ResetLog()
	h.mustRelctl(exitError, "apply", "--auto-approve")
	if m := h.gh.Mutations(); m != 0 {
		t.Fatalf("blocked apply made %d GitHub mutations", m)
	}

	h.full("", "  on_asset_conflict = \"replace\"\n", fastRetry)
	out = h.mustRelctl(exitOK, "plan")
	if !strings.Contains(out, `-/+ github_release_asset.alpha["README.md"]`) {
		t.Fatalf("plan under replace:\n%s", out)
	}
	h.mustRelctl(exitOK, "apply", "--auto-approve")
	rs := h.releasesFor("alpha-v1.0.0")
	local, _ := os.ReadFile(filepath.Join(h.dir, "charts/alpha/README.md"))
	for _, a := range rs[0].Assets {
		if a.Name == "README.md" && string(a.Data) != string(local) {
			t.Fatalf("README.md not replaced: %q", a.Data)
		}
	}
	if rs[0].Draft {
		t.Fatal("release not published")
	}
}

func TestE2E_immutablePublishedReleaseMissingAnAssetIsBlocked(t *testing.T) {
	h := newHarness(t)
	h.chart("alpha", "1.0.0")
	h.full("", "", fastRetry)
	h.gh.SetImmutable(true) // the repository has immutable releases on
	h.mustRelctl(exitOK, "apply", "--auto-approve")
	if rs := h.releasesFor("alpha-v1.0.0"); len(rs) != 1 || !rs[0].Immutable {
		t.Fatalf("release after apply: %+v, want one immutable", rs)
	}

	// A file is added to every release after this one was published.
	h.write("NOTICE", "Third-party notices.\n")
	h.full("", "", fastRetry+"\nrelease {\n  files = [\"NOTICE\"]\n}\n")
	h.gh.ResetLog()
	out := h.mustRelctl(exitError, "plan")
	for _, want := range []string{`! github_release_asset.alpha["NOTICE"]`, "published and immutable", "1 blocked"} {
		if !strings.Contains(out, want) {
			t.Errorf("plan lacks %q:\n%s", want, out)
		}
	}
	h.mustRelctl(exitError, "apply", "--auto-approve")
	if m := h.gh.Mutations(); m != 0 {
		t.Errorf("blocked apply made %d mutations", m)
	}
}

func TestE2E_changedNotesTemplateUpdatesThePublishedRelease(t *testing.T) {
	h := newHarness(t)
	h.chart("alpha", "1.0.0")
	h.full("", "", fastRetry)
	h.mustRelctl(exitOK, "apply", "--auto-approve")

	h.write("notes.tmpl", "Release {{ .Chart }} {{ .Version }}: see the changelog.\n")
	h.full("", "", fastRetry+"\nrelease {\n  notes_template = file(\"notes.tmpl\")\n}\n")
	out := h.mustRelctl(exitChanges, "plan", "--detailed-exitcode")
	if !strings.Contains(out, "~ github_release.alpha") || !strings.Contains(out, "notes differ") {
		t.Fatalf("plan after a notes change:\n%s", out)
	}
	h.mustRelctl(exitOK, "apply", "--auto-approve")
	if rs := h.releasesFor("alpha-v1.0.0"); len(rs) != 1 || rs[0].Body != "Release alpha 1.0.0: see the changelog.\n" {
		t.Fatalf("release after apply: %+v", rs)
	}
	h.mustRelctl(exitOK, "plan", "--detailed-exitcode")
}

func TestE2E_atomicApplyPublishesNothingWhenOneChartFailsAndTheNextRunPublishesAll(t *testing.T) {
	h := newHarness(t)
	threeCharts(h)
	h.full("", "", fastRetry)
	// GitHub refuses the second release creation: that chart fails.
	remove := h.gh.Inject(githubtest.Fault{Method: "POST", PathPattern: "/repos/{owner}/{repo}/releases", Nth: 2, Status: 422})
	code, out, errOut := h.relctl("apply", "--auto-approve", "--parallelism", "1")
	if code != exitError {
		t.Fatalf("apply with a failing chart exited %d\n%s\n%s", code, out, errOut)
	}
	for _, r := range h.releases() {
		if !r.Draft {
			t.Fatalf("release %s was published although another chart failed", r.TagName)
		}
	}
	if len(h.releases()) != 2 {
		t.Fatalf("%d drafts, want 2 (the failed chart has none)", len(h.releases()))
	}
	remove()

	h.mustRelctl(exitOK, "apply", "--auto-approve")
	rels := h.releases()
	if len(rels) != 3 {
		t.Fatalf("%d releases after the second apply, want 3", len(rels))
	}
	for _, r := range rels {
		if r.Draft || len(r.Assets) != 4 {
			t.Errorf("%s: draft=%t assets=%v", r.TagName, r.Draft, assetNames(r))
		}
	}
}

func TestE2E_droppedConnectionsAfterGitHubProcessedARequestMakeNoDuplicates(t *testing.T) {
	h := newHarness(t)
	h.chart("alpha", "1.0.0")
	h.full("", "", fastRetry)
	h.gh.Inject(githubtest.Fault{Method: "POST", PathPattern: "/repos/{owner}/{repo}/releases", Nth: 1, ProcessThenDrop: true})
	h.gh.Inject(githubtest.Fault{Method: "POST", PathPattern: "/repos/{owner}/{repo}/releases/{release_id}/assets", Nth: 2, ProcessThenDrop: true})
	h.gh.ResetLog()
	h.mustRelctl(exitOK, "apply", "--auto-approve")
	// Both failures were seen and answered by observing again: one listing
	// more than the two refreshes (before and under the apply lock), one
	// release read more than the confirmation.
	if n := h.gh.Count("GET /repos/{owner}/{repo}/releases"); n != 3 {
		t.Errorf("listed releases %d times, want 3 (refresh, refresh under the lock, then after the dropped create)", n)
	}
	if n := h.gh.Count("GET /repos/{owner}/{repo}/releases/{release_id}"); n != 2 {
		t.Errorf("read the release %d times, want 2 (after the dropped upload, then to confirm)", n)
	}
	if n := h.gh.Count("POST /repos/{owner}/{repo}/releases"); n != 1 {
		t.Errorf("created releases %d times, want 1", n)
	}
	rs := h.releasesFor("alpha-v1.0.0")
	if len(rs) != 1 || rs[0].Draft {
		t.Fatalf("releases: %+v, want one published", rs)
	}
	if got := assetNames(rs[0]); len(got) != 4 {
		t.Fatalf("assets %v, want 4 without duplicates", got)
	}
	h.mustRelctl(exitOK, "plan", "--detailed-exitcode")
}

func TestE2E_assetsUploadedBeforeGitHubRecordedDigestsAreHashedByDownload(t *testing.T) {
	// A release made by relctl elsewhere gives the exact assets...
	first := newHarness(t)
	first.chart("alpha", "1.0.0")
	first.full("", "", fastRetry)
	first.mustRelctl(exitOK, "apply", "--auto-approve")
	rel := first.releasesFor("alpha-v1.0.0")[0]

	// ...seeded here as if uploaded in 2024, before GitHub recorded
	// digests, with README.md changed since.
	h := newHarness(t)
	h.chart("alpha", "1.0.0")
	h.full("", "", fastRetry)
	old := githubtest.Release{TagName: rel.TagName, Name: rel.Name, Body: rel.Body}
	for _, a := range rel.Assets {
		a.ID, a.Digest, a.NoDigest = 0, "", true
		if a.Name == "README.md" {
			a.Data = []byte("# an older readme\n")
		}
		old.Assets = append(old.Assets, a)
	}
	h.gh.SeedRelease("acme", "charts", old)

	out := h.mustRelctl(exitError, "plan")
	if !strings.Contains(out, `! github_release_asset.alpha["README.md"]`) || !strings.Contains(out, "1 blocked") {
		t.Fatalf("plan against digest-less assets:\n%s", out)
	}
	if n := h.gh.Count("GET /repos/{owner}/{repo}/releases/assets/{asset_id}"); n != len(old.Assets) {
		t.Errorf("downloaded %d assets to hash them, want %d", n, len(old.Assets))
	}
	// The package and CHANGELOG.md hash equal once downloaded: unchanged.
	for _, addr := range []string{`github_release_asset.alpha["alpha-1.0.0.tgz"]`, `github_release_asset.alpha["CHANGELOG.md"]`} {
		if strings.Contains(out, addr) {
			t.Errorf("%s planned although its downloaded hash is equal:\n%s", addr, out)
		}
	}
}
