package cosign

import (
	"bytes"
	"context"
	"encoding/base64"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/sigstore/cosign/v2/pkg/oci/mutate"
	ociremote "github.com/sigstore/cosign/v2/pkg/oci/remote"
	"github.com/sigstore/cosign/v2/pkg/oci/static"
	sigpayload "github.com/sigstore/sigstore/pkg/signature/payload"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/providers/oci/ocitest"
)

// requestsOf lists the method and path of every request the registry
// received since the last reset, pings included.
func requestsOf(reg *ocitest.Server) []string {
	var out []string
	for _, r := range reg.Requests() {
		out = append(out, r.Method+" "+r.Path)
	}
	return out
}

func TestVerifySignatures_relctlsOwnSignatureCostsOneRequestAndNoPingPerRepository(t *testing.T) {
	isolate(t)
	ctx := context.Background()
	reg := startRegistry(t)
	k := newKeySigner(t)
	var repos, digests []string
	for _, chart := range []string{"podinfo", "nginx"} {
		repo, digest := pushChart(t, reg, chart, "1.0.0")
		if err := k.signer.SignManifest(ctx, repo, digest); err != nil {
			t.Fatal(err)
		}
		repos, digests = append(repos, repo), append(digests, digest)
	}
	// The signer has met the registry (it signed): from then on, each
	// chart's signatures are one request, without a ping.
	reg.ResetRequests()
	var want []string
	for i := range repos {
		st := verify(t, k.signer, repos[i], digests[i])
		if !st.Valid || st.Count != 1 || st.Reason != "1 valid signature: legacy" {
			t.Fatalf("VerifySignatures = %+v, want 1 valid legacy signature", st)
		}
		want = append(want, http.MethodGet+" "+"/v2/"+strings.TrimPrefix(repos[i], reg.Host+"/")+"/manifests/"+sigTag(digests[i]))
	}
	if got := requestsOf(reg); !slices.Equal(got, want) {
		t.Fatalf("requests = %q, want only %q", got, want)
	}
}

// A signature whose payload is not the one relctl writes (another tool's,
// with annotations) cannot be rebuilt: its blob is fetched, and it still
// counts when it verifies.
func TestVerifySignatures_aSignatureWithAnotherPayloadIsFetchedAndVerified(t *testing.T) {
	isolate(t)
	ctx := context.Background()
	reg := startRegistry(t)
	repo, digest := pushChart(t, reg, "podinfo", "1.0.0")
	k := newKeySigner(t)
	ref, err := k.signer.digestRef(repo, digest)
	if err != nil {
		t.Fatal(err)
	}
	payload, err := (&sigpayload.Cosign{Image: ref, Annotations: map[string]any{"signed-by": "another tool"}}).MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if own, _ := manifestPayload(ref); bytes.Equal(own, payload) {
		t.Fatal("the test payload must differ from relctl's")
	}
	raw, err := k.signer.sv.SignMessage(bytes.NewReader(payload))
	if err != nil {
		t.Fatal(err)
	}
	sig, err := static.NewSignature(payload, base64.StdEncoding.EncodeToString(raw))
	if err != nil {
		t.Fatal(err)
	}
	se, err := ociremote.SignedEntity(ref, k.signer.ociOptions(ctx)...)
	if err != nil {
		t.Fatal(err)
	}
	signed, err := mutate.AttachSignatureToEntity(se, sig)
	if err != nil {
		t.Fatal(err)
	}
	if err := ociremote.WriteSignatures(ref.Repository, signed, k.signer.ociOptions(ctx)...); err != nil {
		t.Fatal(err)
	}

	reg.ResetRequests()
	st := verify(t, k.signer, repo, digest)
	if !st.Valid || st.Count != 1 {
		t.Fatalf("VerifySignatures = %+v, want 1 valid signature", st)
	}
	blobs := 0
	for _, r := range requestsOf(reg) {
		if bytes.Contains([]byte(r), []byte("/blobs/")) {
			blobs++
		}
	}
	if blobs != 1 {
		t.Fatalf("requests = %q, want the payload blob fetched once", requestsOf(reg))
	}

	// The same layer with its signature altered: fetched, and not valid.
	tamperSignature(t, reg, repo, digest)
	if st := verify(t, k.signer, repo, digest); st.Valid {
		t.Fatalf("VerifySignatures = %+v after tampering, want not valid", st)
	}
}

// A tampered signature of relctl's own payload is not made valid by
// rebuilding the payload: the signature is checked against it.
func TestVerifySignatures_aTamperedSignatureOfTheRebuiltPayloadIsNotValid(t *testing.T) {
	isolate(t)
	ctx := context.Background()
	reg := startRegistry(t)
	repo, digest := pushChart(t, reg, "podinfo", "1.0.0")
	k := newKeySigner(t)
	if err := k.signer.SignManifest(ctx, repo, digest); err != nil {
		t.Fatal(err)
	}
	tamperSignature(t, reg, repo, digest)
	if st := verify(t, k.signer, repo, digest); st.Valid || st.Count != 1 {
		t.Fatalf("VerifySignatures = %+v, want 1 signature, not valid", st)
	}
}

// BenchmarkVerifySignatures_inSync is the signature check of a no-change
// plan, per chart: one request for the signature manifest, one ECDSA
// verification.
func BenchmarkVerifySignatures_inSync(b *testing.B) {
	b.Setenv("HOME", b.TempDir())
	b.Setenv("DOCKER_CONFIG", b.TempDir())
	b.Setenv("TUF_ROOT", b.TempDir())
	ctx := context.Background()
	reg, err := ocitest.Start(ctx, ocitest.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer reg.Close()
	repo, digest := pushChart(b, reg, "podinfo", "1.0.0")
	k := newKeySigner(b)
	if err := k.signer.SignManifest(ctx, repo, digest); err != nil {
		b.Fatal(err)
	}
	reg.ResetRequests()
	b.ResetTimer()
	for range b.N {
		st, err := k.signer.VerifySignatures(ctx, repo, digest)
		if err != nil || !st.Valid {
			b.Fatalf("VerifySignatures = %+v, %v", st, err)
		}
	}
	b.ReportMetric(float64(len(reg.Requests()))/float64(b.N), "requests/op")
}

// With formats, the caller has just read the signatures (the planner's
// check right before signing): SignManifest does not read the referrers
// API or the fallback tag again, and the signature it writes verifies.
func TestSignManifest_withFormatsTrustsTheCallersCheck(t *testing.T) {
	isolate(t)
	ctx := context.Background()
	reg := startRegistry(t)
	repo, digest := pushChart(t, reg, "podinfo", "1.0.0")
	k := newKeySigner(t)
	if st := verify(t, k.signer, repo, digest); st.Count != 0 {
		t.Fatalf("VerifySignatures = %+v before signing, want none", st)
	}
	reg.ResetRequests()
	if err := k.signer.SignManifest(ctx, repo, digest, config.FormatLegacy); err != nil {
		t.Fatal(err)
	}
	fallback := "/manifests/" + strings.Replace(digest, ":", "-", 1)
	for _, r := range requestsOf(reg) {
		if strings.Contains(r, "/referrers/") || strings.HasSuffix(r, fallback) {
			t.Errorf("SignManifest with formats read a bundle place again: %s", r)
		}
		// Neither a blob nor the tag is asked for before it is written,
		// and a blob is uploaded in two requests, not three.
		if strings.HasPrefix(r, http.MethodHead+" ") || strings.HasPrefix(r, http.MethodPatch+" ") {
			t.Errorf("SignManifest wrote the signature with %s", r)
		}
	}
	// The manifest, the signature tag (cosign's duplicate check), POST
	// and PUT of the layer and of the config, the manifest PUT.
	if got := requestsOf(reg); len(got) != 7 {
		t.Errorf("%d requests to sign, want 7: %q", len(got), got)
	}
	if st := verify(t, k.signer, repo, digest); !st.Valid || st.Count != 1 {
		t.Fatalf("VerifySignatures = %+v after signing, want 1 valid", st)
	}
	// Without formats it reads them first: a manifest signed is not
	// signed again.
	if err := k.signer.SignManifest(ctx, repo, digest); err != nil {
		t.Fatal(err)
	}
	if st := verify(t, k.signer, repo, digest); st.Count != 1 {
		t.Fatalf("VerifySignatures = %+v after SignManifest without formats, want still 1", st)
	}
}

// In key mode cosign's duplicate detection still guards the legacy write:
// signing again in a format the caller wrongly names as missing writes
// nothing.
func TestSignManifest_aDuplicateLegacySignatureIsNotWritten(t *testing.T) {
	isolate(t)
	ctx := context.Background()
	reg := startRegistry(t)
	repo, digest := pushChart(t, reg, "podinfo", "1.0.0")
	k := newKeySigner(t)
	for range 2 {
		if err := k.signer.SignManifest(ctx, repo, digest, config.FormatLegacy); err != nil {
			t.Fatal(err)
		}
	}
	if st := verify(t, k.signer, repo, digest); !st.Valid || st.Count != 1 {
		t.Fatalf("VerifySignatures = %+v after signing twice, want 1 valid", st)
	}
}

// A signature added beside another key's keeps that one: the tag's new
// manifest lists both layers, and only the new layer is uploaded.
func TestSignManifest_aSecondKeysSignatureIsAddedBesideTheFirst(t *testing.T) {
	isolate(t)
	ctx := context.Background()
	reg := startRegistry(t)
	repo, digest := pushChart(t, reg, "podinfo", "1.0.0")
	first, second := newKeySigner(t), newKeySigner(t)
	if err := first.signer.SignManifest(ctx, repo, digest, config.FormatLegacy); err != nil {
		t.Fatal(err)
	}
	reg.ResetRequests()
	if err := second.signer.SignManifest(ctx, repo, digest, config.FormatLegacy); err != nil {
		t.Fatal(err)
	}
	uploads := 0
	for _, r := range requestsOf(reg) {
		if strings.HasPrefix(r, http.MethodPost+" ") && strings.Contains(r, "/blobs/uploads/") {
			uploads++
		}
	}
	if uploads != 2 {
		t.Errorf("%d blob uploads, want 2 (the new layer, the config): %q", uploads, requestsOf(reg))
	}
	for i, k := range []keyFixture{first, second} {
		if st := verify(t, k.signer, repo, digest); !st.Valid || st.Count != 2 {
			t.Errorf("key %d: VerifySignatures = %+v, want 2 signatures, valid", i, st)
		}
	}
}
