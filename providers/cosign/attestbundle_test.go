package cosign

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	cosignpkg "github.com/sigstore/cosign/v2/pkg/cosign"
	ociremote "github.com/sigstore/cosign/v2/pkg/oci/remote"
	sigs "github.com/sigstore/cosign/v2/pkg/signature"
	"github.com/sigstore/sigstore-go/pkg/root"
	sgverify "github.com/sigstore/sigstore-go/pkg/verify"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/provenance"
	"github.com/relctl/relctl/providers/cosign/sigstoretest"
	"github.com/relctl/relctl/providers/oci/ocitest"
	"github.com/relctl/relctl/state"
)

// attestationFormats lists the formats of the verified attestations.
func attestationFormats(st *state.AttestationState) []string {
	var out []string
	for _, v := range st.Verified {
		out = append(out, v.Format)
	}
	return out
}

// With format = "bundle", the provenance is a Sigstore bundle laid out as
// cosign v3's `attest` lays it out: a referrer where the registry has the
// referrers API, under the fallback tag where it has not; no `.att` tag.
// relctl reads back the statement it signed, cosign's bundle verifier
// accepts it with the public key, it is not a signature, and another key's
// signer does not count it.
func TestAttestManifest_bundleFormatIsCosignV3sAttestationReadBackAndVerified(t *testing.T) {
	for _, tc := range []struct {
		name      string
		referrers bool
		format    string
	}{
		{"referrers API", true, state.SignatureFormatReferrer},
		{"fallback tag", false, state.SignatureFormatFallbackTag},
	} {
		t.Run(tc.name, func(t *testing.T) {
			isolate(t)
			ctx := context.Background()
			reg, err := ocitest.Start(ctx, ocitest.Options{Referrers: tc.referrers})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { reg.Close() })
			repo, digest := pushChart(t, reg, "podinfo", "1.0.0")
			k := newKeySigner(t)
			s := withFormat(t, k, config.FormatBundle)
			statement := statementFor(t, repo, digest)

			if err := s.AttestManifest(ctx, repo, digest, provenance.PredicateType, statement); err != nil {
				t.Fatal(err)
			}

			if tagExists(t, repo, strings.Replace(digest, ":", "-", 1)+".att") {
				t.Error("format bundle wrote a legacy attestation tag")
			}
			if got := tagExists(t, repo, strings.Replace(digest, ":", "-", 1)); got == tc.referrers {
				t.Errorf("fallback tag exists: %t, want %t", got, !tc.referrers)
			}
			ref, err := name.NewDigest(repo+"@"+digest, name.Insecure)
			if err != nil {
				t.Fatal(err)
			}
			found, err := s.readBundles(ctx, ref)
			if err != nil || len(found) != 1 || !slices.Equal(found[0].formats, []string{tc.format}) {
				t.Fatalf("readBundles = %+v, %v; want one bundle in %s", found, err, tc.format)
			}
			m := fetchJSON(t, repo, found[0].digest)
			ann := m["annotations"].(map[string]any)
			layers := m["layers"].([]any)
			if m["artifactType"] != BundleMediaType || len(layers) != 1 || layers[0].(map[string]any)["mediaType"] != BundleMediaType ||
				m["subject"].(map[string]any)["digest"] != digest ||
				ann[AnnotationBundleContent] != "dsse-envelope" || ann[AnnotationBundlePredicateType] != provenance.PredicateType {
				t.Errorf("referrer manifest = %v, want cosign v3's attestation layout", m)
			}

			// cosign's bundle verifier, given the public key alone.
			pub, err := sigs.PublicKeyFromKeyRef(ctx, k.pubPath)
			if err != nil {
				t.Fatal(err)
			}
			empty, err := root.NewTrustedRoot(root.TrustedRootMediaType01, nil, nil, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			res, err := cosignpkg.VerifyNewBundle(ctx, &cosignpkg.CheckOpts{SigVerifier: pub, TrustedMaterial: empty, IgnoreTlog: true},
				sgverify.WithArtifactDigest("sha256", mustHex(t, digest)), found[0].bundle)
			if err != nil {
				t.Fatalf("cosign does not verify the attestation bundle: %v", err)
			}
			if res.Statement.GetPredicateType() != provenance.PredicateType {
				t.Errorf("predicate type %q", res.Statement.GetPredicateType())
			}

			st, err := s.VerifyAttestations(ctx, repo, digest)
			if err != nil {
				t.Fatal(err)
			}
			if st.Count != 1 || len(st.Verified) != 1 || st.Reason != "1 valid attestation" {
				t.Fatalf("VerifyAttestations = %+v, want one valid", st)
			}
			if v := st.Verified[0]; v.Format != tc.format || v.PredicateType != provenance.PredicateType || !bytes.Equal(v.Statement, statement) {
				t.Errorf("verified attestation %s %s, want the statement signed, in %s", v.Format, v.PredicateType, tc.format)
			}
			// An attestation is not a signature of the chart.
			if sig := verify(t, s, repo, digest); sig.Valid || sig.Count != 0 {
				t.Errorf("VerifySignatures counts the attestation as a signature: %+v", sig)
			}
			other, err := newKeySigner(t).signer.VerifyAttestations(ctx, repo, digest)
			if err != nil {
				t.Fatal(err)
			}
			if other.Count != 1 || len(other.Verified) != 0 || other.Reason != "1 attestation, not valid for the configured key" {
				t.Errorf("another key's VerifyAttestations = %+v, want 1 found, none valid", other)
			}
		})
	}
}

// With format = "both", one call writes both formats; given the formats
// missing, only those.
func TestAttestManifest_bothWritesEachFormatAndExplicitFormatsOnlyThose(t *testing.T) {
	isolate(t)
	ctx := context.Background()
	reg := startRegistry(t)
	repo, digest := pushChart(t, reg, "podinfo", "1.0.0")
	_, other := pushChart(t, reg, "podinfo", "2.0.0")
	k := newKeySigner(t)
	both := withFormat(t, k, config.FormatBoth)

	if err := both.AttestManifest(ctx, repo, digest, provenance.PredicateType, statementFor(t, repo, digest)); err != nil {
		t.Fatal(err)
	}
	st, err := both.VerifyAttestations(ctx, repo, digest)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{state.SignatureFormatLegacy, state.SignatureFormatFallbackTag}
	if st.Count != 2 || !slices.Equal(attestationFormats(st), want) {
		t.Fatalf("VerifyAttestations = %+v, want valid in %v", st, want)
	}

	if err := both.AttestManifest(ctx, repo, other, provenance.PredicateType, statementFor(t, repo, other), config.FormatBundle); err != nil {
		t.Fatal(err)
	}
	if tagExists(t, repo, strings.Replace(other, ":", "-", 1)+".att") {
		t.Error("asked for the bundle format alone, it wrote the legacy tag")
	}
	st, err = both.VerifyAttestations(ctx, repo, other)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(attestationFormats(st), []string{state.SignatureFormatFallbackTag}) {
		t.Errorf("VerifyAttestations = %+v, want the bundle alone", st)
	}
}

// cosign v3's signature bundles share the attestations' places: they are
// not attestations. An attestation cosign v3 wrote with the configured key
// is one; one naming another manifest is not valid.
func TestVerifyAttestations_cosignV3BundlesSignaturesSkippedAttestationsVerified(t *testing.T) {
	isolate(t)
	ctx := context.Background()
	reg := startRegistry(t)
	repo, digest := pushChart(t, reg, "podinfo", "1.0.0")
	_, other := pushChart(t, reg, "podinfo", "2.0.0")
	k := newKeySigner(t)
	attachBundle(t, "", repo, digest, cosignV3Bundle(t, k, digest, signPredicateType))

	st, err := k.signer.VerifyAttestations(ctx, repo, digest)
	if err != nil {
		t.Fatal(err)
	}
	if st.Count != 0 || st.Reason != "no attestation" {
		t.Fatalf("a signature bundle read as an attestation: %+v", st)
	}

	ref, err := name.NewDigest(repo+"@"+digest, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	for _, subject := range []string{digest, other} {
		b := cosignV3Bundle(t, k, subject, provenance.PredicateType)
		if err := ociremote.WriteAttestationNewBundleFormat(ref, b, provenance.PredicateType, ociremote.WithRemoteOptions(remote.WithContext(ctx))); err != nil {
			t.Fatal(err)
		}
	}
	st, err = k.signer.VerifyAttestations(ctx, repo, digest)
	if err != nil {
		t.Fatal(err)
	}
	if st.Count != 2 || len(st.Verified) != 1 || st.Verified[0].Format != state.SignatureFormatFallbackTag || st.Verified[0].PredicateType != provenance.PredicateType {
		t.Errorf("VerifyAttestations = %+v, want 2 found, the one naming this manifest valid", st)
	}
}

// Keyless, "both" attests with one certificate, logged once per format,
// and verifies against the private Sigstore's trusted root.
func TestAttestManifest_keylessBothSharesOneCertificate(t *testing.T) {
	isolate(t)
	ctx := context.Background()
	reg := startRegistry(t)
	repo, digest := pushChart(t, reg, "podinfo", "1.0.0")
	sg := startSigstore(t)
	s := privateFormatSigner(t, sg, true, config.FormatBoth, sg.Actions(releaseWorkflow).Env)
	if err := s.AttestManifest(ctx, repo, digest, provenance.PredicateType, statementFor(t, repo, digest)); err != nil {
		t.Fatal(err)
	}
	if n := sg.Certificates(); n != 1 {
		t.Errorf("Fulcio certified %d keys, want 1", n)
	}
	st, err := privateFormatSigner(t, sg, true, config.FormatBoth, nil).VerifyAttestations(ctx, repo, digest)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{state.SignatureFormatLegacy, state.SignatureFormatFallbackTag}
	if !slices.Equal(attestationFormats(st), want) {
		t.Fatalf("VerifyAttestations = %+v, want valid in %v", st, want)
	}
	otherID := privateSigner(t, sg, sg.TrustedRoot, true, config.Identity{Issuer: sigstoretest.GitHubIssuer, SubjectRegexp: "^https://github.com/acme/other/"}, nil)
	if st, err := otherID.VerifyAttestations(ctx, repo, digest); err != nil || len(st.Verified) != 0 || st.Count != 2 {
		t.Errorf("another identity's VerifyAttestations = %+v, %v; want 2 found, none valid", st, err)
	}
}
