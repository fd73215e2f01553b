package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/content"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/providers/cosign"
	"github.com/relctl/relctl/providers/oci"
	"github.com/relctl/relctl/state"
)

// stampLine is what verify says of a chart taken from its signed stamp.
func (h *harness) stampLine(chart string) string {
	h.t.Helper()
	return "source: signed stamp, tree " + h.gitOut("rev-parse", "HEAD:charts/"+chart)[:12]
}

// releaseAsset returns the ID of a release file.
func (h *harness) releaseAsset(tag, name string) int64 {
	h.t.Helper()
	for _, a := range h.releasesFor(tag)[0].Assets {
		if a.Name == name {
			return a.ID
		}
	}
	h.t.Fatalf("release %s has no %s", tag, name)
	return 0
}

// failed reports whether verify's table shows chart's check as failed.
func failed(out, chart, check string) bool {
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) > 2 && f[0] == chart && strings.HasPrefix(strings.Join(f[2:], " "), check+" FAILED") {
			return true
		}
	}
	return false
}

// replaceAsset replaces a release file with other bytes, through the API.
func (h *harness) replaceAsset(tag, name string, data []byte) {
	h.t.Helper()
	rel := h.releasesFor(tag)[0]
	do := func(method, url, contentType string, body []byte, want int) {
		req, _ := http.NewRequest(method, url, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+testToken)
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			h.t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			h.t.Fatalf("%s %s: %s", method, url, resp.Status)
		}
	}
	do(http.MethodDelete, fmt.Sprintf("%srepos/acme/charts/releases/assets/%d", h.gh.URL(), h.releaseAsset(tag, name)), "", nil, http.StatusNoContent)
	do(http.MethodPost, fmt.Sprintf("%srepos/acme/charts/releases/%d/assets?name=%s", h.gh.URL(), rel.ID, name), "application/octet-stream", data, http.StatusCreated)
}

// A clean committed chart whose manifest's signature verifies is verified
// from its signed stamp: no packaging, no chart blob read, the release's
// .tgz not downloaded (its GitHub digest is compared with the manifest's
// layer, its .sig verified against that digest). --rebuild packages it.
func TestE2E_verifyTakesTheSignedStampOfACleanChartAndRebuildsOnRequest(t *testing.T) {
	h := stampedCheckout(t)
	tgz := h.releaseAsset("alpha-v1.0.0", "alpha-1.0.0.tgz")
	h.reg.ResetRequests()
	h.gh.ResetLog()
	out := h.mustRelctl(exitOK, "verify")
	for _, want := range []string{h.stampLine("alpha"), h.stampLine("beta"), "alpha-1.0.0.tgz.sig verifies against the package", "checks passed"} {
		if !strings.Contains(out, want) {
			t.Errorf("verify lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "rebuilt") {
		t.Errorf("verify rebuilt a chart it could take from its signed stamp:\n%s", out)
	}
	for _, r := range h.reg.Requests() {
		if strings.Contains(r.Path, "/blobs/") {
			t.Errorf("verify from the stamp read a blob: %s %s", r.Method, r.Path)
		}
	}
	downloads := map[string]int{}
	for _, r := range h.gh.Log() {
		if strings.HasSuffix(r.Path, fmt.Sprintf("/releases/assets/%d", tgz)) {
			t.Errorf("verify downloaded the .tgz, whose digest GitHub gives: %s %s", r.Method, r.Path)
		}
		if strings.Contains(r.Path, "/releases/assets/") {
			downloads[r.Path]++
		}
	}
	// Per chart, the lineage file and the .sig, each once (read early,
	// while the charts are observed).
	if len(downloads) != 4 {
		t.Errorf("verify downloaded %d release files, want 4: %v", len(downloads), downloads)
	}
	for path, n := range downloads {
		if n != 1 {
			t.Errorf("verify downloaded %s %d times", path, n)
		}
	}

	var v struct {
		Checks []struct{ Chart, Check, Source string }
	}
	if err := json.Unmarshal([]byte(h.mustRelctl(exitOK, "verify", "--json")), &v); err != nil {
		t.Fatal(err)
	}
	for _, c := range v.Checks {
		if c.Source != "signed stamp" {
			t.Errorf("JSON check %s of %s: source %q, want signed stamp", c.Check, c.Chart, c.Source)
		}
	}

	out = h.mustRelctl(exitOK, "verify", "--rebuild")
	for _, want := range []string{"source: rebuilt from charts/alpha", "source: rebuilt from charts/beta", "checks passed"} {
		if !strings.Contains(out, want) {
			t.Errorf("verify --rebuild lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "signed stamp") {
		t.Errorf("verify --rebuild took a stamp:\n%s", out)
	}
}

// A stamp is a claim until the manifest's signature verifies for the
// configured key: with the signature tampered with, missing, or of another
// key, the chart is rebuilt (and the signature check fails); with signing
// off, every chart is rebuilt.
func TestE2E_verifyRebuildsAChartWhoseStampNoValidSignatureVouchesFor(t *testing.T) {
	sigTagOf := func(h *harness, chart string) (string, func([]byte)) {
		repo, _ := h.chartManifest(chart, "1.0.0")
		desc, err := repo.Resolve(context.Background(), "1.0.0")
		if err != nil {
			t.Fatal(err)
		}
		tag := strings.Replace(desc.Digest.String(), ":", "-", 1) + ".sig"
		return tag, func(b []byte) {
			d := content.NewDescriptorFromBytes(ocispec.MediaTypeImageManifest, b)
			if err := repo.PushReference(context.Background(), d, bytes.NewReader(b), tag); err != nil {
				t.Fatal(err)
			}
		}
	}
	for name, tc := range map[string]struct {
		spoil func(h *harness)
		want  string
	}{
		"tampered": {func(h *harness) {
			tag, push := sigTagOf(h, "alpha")
			_, m := h.chartManifest("alpha", tag)
			raw, err := base64.StdEncoding.DecodeString(m.Layers[0].Annotations["dev.cosignproject.cosign/signature"])
			if err != nil {
				t.Fatal(err)
			}
			raw[len(raw)/2] ^= 0x01
			m.Layers[0].Annotations["dev.cosignproject.cosign/signature"] = base64.StdEncoding.EncodeToString(raw)
			b, _ := json.Marshal(m)
			push(b)
		}, "signature"},
		"missing": {func(h *harness) {
			_, push := sigTagOf(h, "alpha")
			// The signature tag, emptied: no signature left.
			m := ocispec.Manifest{MediaType: ocispec.MediaTypeImageManifest, Config: ocispec.DescriptorEmptyJSON, Layers: []ocispec.Descriptor{}}
			m.SchemaVersion = 2
			b, _ := json.Marshal(m)
			repo, _ := h.chartManifest("alpha", "1.0.0")
			if err := repo.Push(context.Background(), ocispec.DescriptorEmptyJSON, bytes.NewReader(ocispec.DescriptorEmptyJSON.Data)); err != nil {
				t.Fatal(err)
			}
			push(b)
		}, "signature"},
		"another key": {func(h *harness) {
			dir := filepath.Join(h.dir, "other")
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if _, _, err := cosign.GenerateKeyPair(dir, []byte("test-password")); err != nil {
				t.Fatal(err)
			}
			h.full("", "", strings.Replace(signingSpec("fail"), `"cosign.key"`, `"other/cosign.key"`, 1))
			h.git("add", ".")
			h.git("commit", "-q", "-m", "another key")
		}, "signature"},
	} {
		t.Run(name, func(t *testing.T) {
			h := stampedCheckout(t)
			tc.spoil(h)
			code, out, errOut := h.relctl("verify")
			if code != exitError || !strings.Contains(out, "source: rebuilt from charts/alpha") || !failed(out, "alpha", tc.want) {
				t.Fatalf("verify exited %d, want alpha rebuilt and its %s failed:\n%s\n%s", code, tc.want, out, errOut)
			}
			if name != "another key" && !strings.Contains(out, h.stampLine("beta")) {
				t.Errorf("beta, still signed, is not taken from its stamp:\n%s", out)
			}
		})
	}

	t.Run("signing off", func(t *testing.T) {
		h := newHarness(t)
		h.chart("alpha", "1.0.0")
		h.full("", "", "")
		h.git("init", "-q", "-b", "main")
		h.git("add", ".")
		h.git("commit", "-q", "-m", "charts")
		h.mustRelctl(exitOK, "apply", "--auto-approve")
		out := h.mustRelctl(exitOK, "verify")
		if !strings.Contains(out, "source: rebuilt from charts/alpha") || strings.Contains(out, "signed stamp") {
			t.Fatalf("verify of an unsigned chart:\n%s", out)
		}
	})
}

// A chart folder changed since its commit is not the stamped tree: it is
// rebuilt, and here the rebuild is not what was published.
func TestE2E_verifyRebuildsADirtyChart(t *testing.T) {
	h := stampedCheckout(t)
	h.write("charts/alpha/values.yaml", "replicas: 3\n")
	code, out, errOut := h.relctl("verify")
	if code != exitError || !strings.Contains(out, "holds other content than charts/alpha; source: rebuilt from charts/alpha") {
		t.Fatalf("verify exited %d, want alpha rebuilt and found to differ:\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(out, h.stampLine("beta")) {
		t.Errorf("beta, clean, is not taken from its stamp:\n%s", out)
	}
}

// Taking the stamp does not take the release on trust: a release .tgz
// other than the registry's chart layer, or a .tgz.sig of other bytes,
// still fails verify. The .tgz the plan would replace, so the chart is
// rebuilt (the plan's rule: a stamp vouches for a chart in sync only); the
// .sig of a published release the plan leaves to verify, which checks it
// from the signed stamp, against the layer's digest.
func TestE2E_verifyFromTheStampStillFailsAReleaseThatDiffers(t *testing.T) {
	t.Run("release package", func(t *testing.T) {
		h := stampedCheckout(t)
		h.replaceAsset("alpha-v1.0.0", "alpha-1.0.0.tgz", []byte("not the chart the registry holds"))
		code, out, errOut := h.relctl("verify")
		if code != exitError || !failed(out, "alpha", "release package") || !strings.Contains(out, h.stampLine("beta")) {
			t.Fatalf("verify exited %d, want alpha's release package failed:\n%s\n%s", code, out, errOut)
		}
	})
	t.Run("release signature", func(t *testing.T) {
		h := stampedCheckout(t)
		ctx := context.Background()
		s, err := cosign.New(ctx, cosign.Options{Signing: config.Signing{Mode: config.SigningKey, Key: filepath.Join(h.dir, "cosign.key")},
			Getenv: func(k string) string { return map[string]string{"COSIGN_PASSWORD": "test-password"}[k] }})
		if err != nil {
			t.Fatal(err)
		}
		// The right key, other bytes.
		sig, err := s.SignBlob(ctx, []byte("not the chart"))
		if err != nil {
			t.Fatal(err)
		}
		h.replaceAsset("alpha-v1.0.0", "alpha-1.0.0.tgz.sig", sig.Signature)
		code, out, errOut := h.relctl("verify")
		if code != exitError || !strings.Contains(out, h.stampLine("alpha")) || !failed(out, "alpha", "release signature") {
			t.Fatalf("verify exited %d, want the release signature failed from the stamp:\n%s\n%s", code, out, errOut)
		}
	})
}

// verify checks the Artifact Hub metadata the artifacthub block declares:
// the chart repository's artifacthub.io tag and the pages branch's
// artifacthub-repo.yml, each failing once altered.
func TestE2E_verifyChecksTheArtifactHubMetadata(t *testing.T) {
	h := newHarness(t)
	h.withArtifactHubPages()
	h.mustRelctl(exitOK, "apply", "--auto-approve")
	type check struct {
		Chart, Check, Detail string
		OK                   bool
	}
	verify := func(want int) map[string]check {
		t.Helper()
		code, out, errOut := h.relctl("verify", "--json")
		if code != want {
			t.Fatalf("verify exited %d, want %d:\n%s\n%s", code, want, out, errOut)
		}
		var v struct{ Checks []check }
		if err := json.Unmarshal([]byte(out), &v); err != nil {
			t.Fatal(err)
		}
		got := map[string]check{}
		for _, c := range v.Checks {
			if c.Check == "artifacthub" {
				got[c.Chart] = c
			}
		}
		if len(got) != 2 {
			t.Fatalf("verify has %d artifacthub checks, want the tag of alpha and the pages file:\n%s", len(got), out)
		}
		return got
	}
	got := verify(exitOK)
	if !got["alpha"].OK || !strings.Contains(got["alpha"].Detail, "alpha:artifacthub.io") || !got[""].OK {
		t.Errorf("artifacthub checks after apply: %+v", got)
	}

	c, err := oci.New(oci.Options{})
	if err != nil {
		t.Fatal(err)
	}
	other, err := state.NewArtifactHubMetadata(&config.ArtifactHub{RepositoryID: ahRepoID, Owners: []config.ArtifactHubOwner{{Name: "Mallory", Email: "m@evil.io"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.PushArtifactHub(context.Background(), h.reg.Host+"/acme/charts/alpha", other); err != nil {
		t.Fatal(err)
	}
	h.pushPagesFile("artifacthub-repo.yml", "repositoryID: "+ahRepoID+"\nowners:\n  - name: Mallory\n    email: m@evil.io\n")
	got = verify(exitError)
	if got["alpha"].OK || got[""].OK {
		t.Errorf("artifacthub checks after both were altered: %+v", got)
	}
}

// Keyless: the .tgz.sig and .tgz.pem are verified by cosign against bytes,
// so verify from the stamp downloads the release's .tgz (checked against
// the manifest's layer digest first), and still packages nothing.
func TestE2E_verifyFromTheStampWithKeylessSignaturesReadsTheReleasePackage(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	for _, tlog := range []bool{false, true} {
		t.Run(fmt.Sprintf("tlog_upload=%t", tlog), func(t *testing.T) {
			h := newHarness(t)
			sg, _ := h.withSigstore(releaseWorkflow)
			h.chart("alpha", "1.0.0")
			h.full("", "", keylessSpec(sg, tlog, chartsIdentity))
			h.git("init", "-q", "-b", "main")
			h.git("add", ".")
			h.git("commit", "-q", "-m", "charts")
			h.mustRelctl(exitOK, "apply", "--auto-approve")
			dropActionsEnv(h)

			tgz := h.releaseAsset("alpha-v1.0.0", "alpha-1.0.0.tgz")
			h.gh.ResetLog()
			out := h.mustRelctl(exitOK, "verify")
			if !strings.Contains(out, h.stampLine("alpha")) || !strings.Contains(out, ".sig and its .pem verify against the package together") {
				t.Fatalf("verify:\n%s", out)
			}
			downloaded := false
			for _, r := range h.gh.Log() {
				downloaded = downloaded || strings.HasSuffix(r.Path, fmt.Sprintf("/releases/assets/%d", tgz))
			}
			if !downloaded {
				t.Error("keyless verify from the stamp checked the .tgz.sig without the .tgz's bytes")
			}

			// A .tgz whose bytes are not the registry's chart fails (here the
			// plan would replace it, so the chart is also rebuilt).
			h.replaceAsset("alpha-v1.0.0", "alpha-1.0.0.tgz", []byte("not the chart"))
			if code, out, _ := h.relctl("verify"); code != exitError || !failed(out, "alpha", "release package") {
				t.Fatalf("verify with another .tgz exited %d:\n%s", code, out)
			}
		})
	}
}
