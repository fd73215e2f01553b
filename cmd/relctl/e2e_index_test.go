package main

import (
	"encoding/hex"
	"io"
	"net/http"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

func (h *harness) withIndex() {
	h.chart("alpha", "1.0.0")
	h.chart("beta", "2.0.0")
	h.full("", "", fastRetry+`
helm_repository {
  url = "`+h.gh.PagesURL("acme", "charts")+`"
}
`)
}

type servedEntry struct {
	Version string   `json:"version"`
	Digest  string   `json:"digest"`
	URLs    []string `json:"urls"`
	XCR     string   `json:"x-cr"`
	Created string   `json:"created"`
}

// pagesIndex fetches index.yaml as `helm repo add` would: anonymously,
// from the Pages site.
func (h *harness) pagesIndex() map[string][]servedEntry {
	h.t.Helper()
	resp, err := http.Get(h.gh.PagesURL("acme", "charts") + "index.yaml")
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		h.t.Fatalf("GET index.yaml: %s\n%s", resp.Status, b)
	}
	var doc struct {
		APIVersion string                   `json:"apiVersion"`
		Entries    map[string][]servedEntry `json:"entries"`
	}
	if err := yaml.Unmarshal(b, &doc); err != nil || doc.APIVersion != "v1" {
		h.t.Fatalf("index.yaml: %v\n%s", err, b)
	}
	return doc.Entries
}

// checkIndex fails unless alpha and beta are listed once each, with the
// digest of the release asset their URL downloads.
func (h *harness) checkIndex(entries map[string][]servedEntry) {
	h.t.Helper()
	for _, name := range []string{"alpha", "beta"} {
		es := entries[name]
		if len(es) != 1 || len(es[0].URLs) != 1 {
			h.t.Fatalf("%s entries = %+v, want exactly one", name, es)
		}
		resp, err := http.Get(es[0].URLs[0]) // anonymous, as helm pulls it
		if err != nil {
			h.t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || strings.TrimPrefix(sha(b), "sha256:") != es[0].Digest {
			h.t.Errorf("%s: %s gave %s with digest %s, the index says %s", name, es[0].URLs[0], resp.Status, sha(b), es[0].Digest)
		}
		for _, r := range h.releasesFor(name + "-v" + es[0].Version) {
			for _, a := range r.Assets {
				if strings.HasSuffix(a.Name, ".tgz") && a.Digest != "sha256:"+es[0].Digest {
					h.t.Errorf("%s: release asset %s is %s, the index says %s", name, a.Name, a.Digest, es[0].Digest)
				}
			}
		}
	}
}

func TestE2E_indexIsWrittenAfterPublishAndAnAgreeingIndexIsANoOp(t *testing.T) {
	h := newHarness(t)
	h.withIndex()
	out := h.mustRelctl(exitOK, "apply", "--auto-approve")
	if !strings.Contains(out, "helm_index_entry.alpha") {
		t.Errorf("apply does not show the index entries:\n%s", out)
	}
	h.checkIndex(h.pagesIndex())
	head, _ := h.gh.File("acme", "charts", "refs/heads/gh-pages", "index.yaml")

	h.mustRelctl(exitOK, "plan", "--detailed-exitcode")
	h.mustRelctl(exitOK, "apply", "--auto-approve")
	if again, _ := h.gh.File("acme", "charts", "refs/heads/gh-pages", "index.yaml"); string(again) != string(head) {
		t.Errorf("an apply with nothing to do rewrote the index")
	}
}

func TestE2E_indexEntryRemovedOrAlteredIsDriftThenRestoredByApply(t *testing.T) {
	h := newHarness(t)
	h.withIndex()
	h.mustRelctl(exitOK, "apply", "--auto-approve")
	alpha := h.pagesIndex()["alpha"][0]

	// By hand: alpha's digest altered, beta's entry deleted, another
	// tool's chart added.
	h.pushPagesFile("index.yaml", `apiVersion: v1
entries:
  alpha:
  - apiVersion: v2
    digest: `+hex.EncodeToString(make([]byte, 32))+`
    name: alpha
    urls:
    - `+alpha.URLs[0]+`
    version: 1.0.0
  legacy:
  - apiVersion: v2
    digest: abc
    name: legacy
    urls:
    - https://example.org/legacy-0.1.0.tgz
    version: 0.1.0
    x-cr: kept
generated: "2020-01-01T00:00:00Z"
`)
	code, out, errOut := h.relctl("drift")
	if code != exitChanges || !strings.Contains(out, "helm_index_entry.alpha") || !strings.Contains(out, "helm_index_entry.beta") {
		t.Fatalf("drift exited %d, want 2 naming both entries:\n%s\n%s", code, out, errOut)
	}
	h.mustRelctl(exitOK, "apply", "--auto-approve")
	entries := h.pagesIndex()
	h.checkIndex(entries)
	if l := entries["legacy"]; len(l) != 1 || l[0].XCR != "kept" {
		t.Errorf("the other tool's entry = %+v, want it kept as it was", l)
	}
	h.mustRelctl(exitOK, "drift")
}

// Two applies at once from two checkouts, each releasing its own chart,
// without the apply lock that would serialise them: the index must end
// with both entries, the entry another tool wrote intact, no duplicates.
func TestE2E_twoAppliesAtOnceBothLandInTheIndex(t *testing.T) {
	one := newHarness(t)
	two := &harness{t: t, dir: t.TempDir(), reg: one.reg, gh: one.gh, env: one.env}
	spec := func(h *harness, chart string) {
		h.chart(chart, "1.0.0")
		h.full("", "", fastRetry+"\nhelm_repository {\n  url = \""+h.gh.PagesURL("acme", "charts")+"\"\n}\n")
	}
	spec(one, "alpha")
	spec(two, "beta")
	// chart-releaser's index, before relctl.
	one.pushPagesFile("index.yaml", "apiVersion: v1\nentries:\n  legacy:\n  - apiVersion: v2\n    digest: abc\n    name: legacy\n    urls:\n    - https://example.org/legacy-0.1.0.tgz\n    version: 0.1.0\n    x-cr: kept\ngenerated: \"2020-01-01T00:00:00Z\"\n")

	codes := make(chan string, 2)
	for _, h := range []*harness{one, two} {
		go func() {
			code, out, errOut := h.relctl("apply", "--auto-approve", "--lock=false")
			if code != exitOK {
				codes <- out + errOut
				return
			}
			codes <- ""
		}()
	}
	for range 2 {
		if failed := <-codes; failed != "" {
			t.Fatalf("an apply failed:\n%s", failed)
		}
	}
	entries := one.pagesIndex()
	one.checkIndex(entries)
	if l := entries["legacy"]; len(l) != 1 || l[0].XCR != "kept" {
		t.Errorf("the other tool's entry = %+v", l)
	}
	for _, h := range []*harness{one, two} {
		h.mustRelctl(exitOK, "drift")
	}
}
