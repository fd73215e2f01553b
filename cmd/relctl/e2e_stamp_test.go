package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os/exec"
	"strings"
	"testing"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2"
	"oras.land/oras-go/v2/content"
	"oras.land/oras-go/v2/registry/remote"

	"github.com/relctl/relctl/state"
)

// stampedCheckout is a git checkout of charts alpha and beta, published
// and key-signed by relctl from that commit.
func stampedCheckout(t *testing.T) *harness {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	h := newHarness(t)
	h.withKey()
	h.chart("alpha", "1.0.0")
	h.chart("beta", "0.2.0")
	h.full("", "", signingSpec("fail"))
	h.git("init", "-q", "-b", "main")
	h.git("add", ".")
	h.git("commit", "-q", "-m", "charts")
	h.mustRelctl(exitOK, "apply", "--auto-approve")
	return h
}

func (h *harness) gitOut(args ...string) string {
	h.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = h.dir
	out, err := cmd.Output()
	if err != nil {
		h.t.Fatalf("git %v: %v", args, err)
	}
	return strings.TrimSpace(string(out))
}

// chartManifest reads acme/charts/<chart>:<tag> from the test registry.
func (h *harness) chartManifest(chart, tag string) (*remote.Repository, ocispec.Manifest) {
	h.t.Helper()
	repo, err := remote.NewRepository(h.reg.Host + "/acme/charts/" + chart)
	if err != nil {
		h.t.Fatal(err)
	}
	repo.PlainHTTP = true
	_, b, err := oras.FetchBytes(context.Background(), repo, tag, oras.DefaultFetchBytesOptions)
	if err != nil {
		h.t.Fatal(err)
	}
	var m ocispec.Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		h.t.Fatal(err)
	}
	return repo, m
}

func TestE2E_anUnchangedCommittedChartIsObservedFromItsManifestAlone(t *testing.T) {
	h := stampedCheckout(t)
	_, m := h.chartManifest("alpha", "1.0.0")
	if want := "git-tree:" + h.gitOut("rev-parse", "HEAD:charts/alpha"); m.Annotations[state.AnnotationSource] != want {
		t.Fatalf("manifest annotations %v, want %s = %s", m.Annotations, state.AnnotationSource, want)
	}

	h.reg.ResetRequests()
	out := h.mustRelctl(exitOK, "plan", "--detailed-exitcode")
	if !strings.Contains(out, "No changes") {
		t.Fatalf("plan:\n%s", out)
	}
	// Per chart: its manifest and its signature manifest; no chart blob,
	// no signature payload.
	var got []string
	for _, r := range h.reg.Requests() {
		if r.Path != "/v2/" {
			got = append(got, r.Method+" "+r.Path)
		}
	}
	if len(got) != 4 || strings.Contains(strings.Join(got, "\n"), "/blobs/") {
		t.Fatalf("a no-change plan of 2 charts made these registry requests:\n%s", strings.Join(got, "\n"))
	}
}

// The stamp vouches for a chart in sync only: a manifest that carries the
// stamp of the checkout but other content (its tag overwritten, the
// annotations copied) is not signed at its new digest, so the plan wants
// to change the chart, and the chart is then packaged and compared in
// full. Without that, the plan would offer to sign someone else's chart.
func TestE2E_aStampedManifestWithOtherContentIsPackagedAndComparedInFull(t *testing.T) {
	h := stampedCheckout(t)
	ctx := context.Background()
	repo, m := h.chartManifest("alpha", "1.0.0")
	other := []byte("not the chart relctl built")
	layer := content.NewDescriptorFromBytes(m.Layers[0].MediaType, other)
	if err := repo.Push(ctx, layer, bytes.NewReader(other)); err != nil {
		t.Fatal(err)
	}
	m.Layers = []ocispec.Descriptor{layer}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	desc := content.NewDescriptorFromBytes(ocispec.MediaTypeImageManifest, b)
	if err := repo.PushReference(ctx, desc, bytes.NewReader(b), "1.0.0"); err != nil {
		t.Fatal(err)
	}

	// Taken from the stamp alone, alpha would be in sync and its signature
	// missing: exit 2, "sign". Compared in full, it is a conflict: exit 1.
	code, out, errOut := h.relctl("plan", "--detailed-exitcode")
	if code != exitError || !strings.Contains(out, "already published with other content") {
		t.Fatalf("plan exited %d, want the conflict blocked:\n%s\n%s", code, out, errOut)
	}
}

// An uncommitted change (here without a version bump) is not what the
// commit's tree says: the chart is packaged, and the conflict shown.
func TestE2E_anUncommittedChangeIsPackagedNotTakenFromTheStamp(t *testing.T) {
	for name, edit := range map[string]func(h *harness){
		"modified":  func(h *harness) { h.write("charts/alpha/values.yaml", "replicas: 3\n") },
		"untracked": func(h *harness) { h.write("charts/alpha/templates/extra.yaml", "apiVersion: v1\nkind: ConfigMap\n") },
		"ignored": func(h *harness) {
			h.write(".gitignore", "*.local.yaml\n")
			h.git("add", ".gitignore")
			h.git("commit", "-q", "-m", "ignore")
			h.write("charts/alpha/templates/x.local.yaml", "apiVersion: v1\nkind: Secret\n")
		},
	} {
		t.Run(name, func(t *testing.T) {
			h := stampedCheckout(t)
			edit(h)
			code, out, errOut := h.relctl("plan", "--detailed-exitcode")
			if code != exitError || !strings.Contains(out, "already published with other content") {
				t.Fatalf("plan exited %d, want alpha's conflict:\n%s\n%s", code, out, errOut)
			}
		})
	}
}

// A stamped chart whose release lost its package is packaged again: the
// upload needs the archive the stamp did not build.
func TestE2E_aStampedChartMissingItsReleasePackageIsPackagedAndUploaded(t *testing.T) {
	h := stampedCheckout(t)
	rel := h.releasesFor("alpha-v1.0.0")[0]
	var tgz int64
	for _, a := range rel.Assets {
		if a.Name == "alpha-1.0.0.tgz" {
			tgz = a.ID
		}
	}
	req, _ := http.NewRequest(http.MethodDelete, fmt.Sprintf("%srepos/acme/charts/releases/assets/%d", h.gh.URL(), tgz), nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("delete asset: %v %v", resp, err)
	}
	resp.Body.Close()

	h.mustRelctl(exitOK, "apply", "--auto-approve")
	h.mustRelctl(exitOK, "verify")
	out := h.mustRelctl(exitOK, "plan", "--detailed-exitcode")
	if !strings.Contains(out, "No changes") {
		t.Fatalf("plan after the repair:\n%s", out)
	}
}
