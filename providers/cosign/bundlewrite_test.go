package cosign

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	cosignpkg "github.com/sigstore/cosign/v2/pkg/cosign"
	sigs "github.com/sigstore/cosign/v2/pkg/signature"
	sgbundle "github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/root"
	sgverify "github.com/sigstore/sigstore-go/pkg/verify"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/providers/cosign/sigstoretest"
	"github.com/relctl/relctl/state"
)

// withFormat is k's key loaded again for signing.format f.
func withFormat(t *testing.T, k keyFixture, f config.SignatureFormat) *Signer {
	t.Helper()
	s, err := New(context.Background(), Options{
		Signing:           config.Signing{Mode: config.SigningKey, Key: k.privPath, Format: f},
		Getenv:            env(map[string]string{"COSIGN_PASSWORD": testPassword}),
		AllowHTTPRegistry: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// privateFormatSigner is privateSigner for signing.format f.
func privateFormatSigner(t *testing.T, sg *sigstoretest.Sigstore, tlog bool, f config.SignatureFormat, vars map[string]string) *Signer {
	t.Helper()
	s, err := New(context.Background(), Options{
		Signing: config.Signing{
			Mode: config.SigningKeyless, Identity: chartsIdentity,
			FulcioURL: sg.FulcioURL, RekorURL: sg.RekorURL, TrustedRoot: sg.TrustedRoot,
			TlogUpload: tlog, Format: f,
		},
		Getenv:            env(vars),
		AllowHTTPRegistry: true,
		VerifyOnly:        vars == nil,
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// fetchJSON reads a manifest or index of repo (host/path) by reference.
func fetchJSON(t *testing.T, repo, reference string) map[string]any {
	t.Helper()
	sep := ":"
	if strings.HasPrefix(reference, "sha256:") {
		sep = "@"
	}
	ref, err := name.ParseReference(repo+sep+reference, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	d, err := remote.Get(ref)
	if err != nil {
		t.Fatalf("fetch %s: %v", ref, err)
	}
	var m map[string]any
	if err := json.Unmarshal(d.Manifest, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// fallbackReferrers lists the manifests the fallback tag's index names.
func fallbackReferrers(t *testing.T, repo, digest string) []map[string]any {
	t.Helper()
	if !tagExists(t, repo, strings.Replace(digest, ":", "-", 1)) {
		return nil
	}
	var out []map[string]any
	for _, m := range fetchJSON(t, repo, strings.Replace(digest, ":", "-", 1))["manifests"].([]any) {
		out = append(out, m.(map[string]any))
	}
	return out
}

func TestSignManifest_bundleFormatWritesCosignV3sReferrerUnderTheFallbackTagOnce(t *testing.T) {
	isolate(t)
	ctx := context.Background()
	reg := startRegistry(t)
	repo, digest := pushChart(t, reg, "podinfo", "1.0.0")
	s := withFormat(t, newKeySigner(t), config.FormatBundle)

	if err := s.SignManifest(ctx, repo, digest); err != nil {
		t.Fatal(err)
	}

	if tagExists(t, repo, sigTag(digest)) {
		t.Error("format bundle wrote a legacy signature tag")
	}
	listed := fallbackReferrers(t, repo, digest)
	if len(listed) != 1 {
		t.Fatalf("the fallback tag lists %d manifests, want 1", len(listed))
	}
	// The referrer is what cosign v3's WriteAttestationNewBundleFormat
	// writes: the bundle as the one layer, the chart as subject.
	m := fetchJSON(t, repo, listed[0]["digest"].(string))
	layers := m["layers"].([]any)
	subject := m["subject"].(map[string]any)
	ann := m["annotations"].(map[string]any)
	if m["artifactType"] != BundleMediaType || len(layers) != 1 || layers[0].(map[string]any)["mediaType"] != BundleMediaType ||
		subject["digest"] != digest || subject["mediaType"] != "application/vnd.oci.image.manifest.v1+json" ||
		m["config"].(map[string]any)["mediaType"] != "application/vnd.oci.empty.v1+json" ||
		ann[AnnotationBundleContent] != "dsse-envelope" || ann[AnnotationBundlePredicateType] != signPredicateType || ann["org.opencontainers.image.created"] == nil {
		t.Errorf("referrer manifest = %v, want cosign v3's layout", m)
	}
	st := verify(t, s, repo, digest)
	if !st.Valid || st.Count != 1 || !slices.Equal(st.Formats, []string{state.SignatureFormatFallbackTag}) {
		t.Fatalf("VerifySignatures = %+v, want 1 valid bundle under the fallback tag", st)
	}

	reg.ResetRequests()
	if err := s.SignManifest(ctx, repo, digest); err != nil {
		t.Fatal(err)
	}
	if w := reg.Writes(); w != 0 {
		t.Errorf("signing again wrote %d times", w)
	}
}

// The bundle is cosign v3's signature, as cosign's own bundle verifier sees
// it given nothing but the public key.
func TestSignManifest_bundleVerifiesWithCosignsBundleVerifierAndThePublicKey(t *testing.T) {
	isolate(t)
	ctx := context.Background()
	reg := startRegistry(t)
	repo, digest := pushChart(t, reg, "podinfo", "1.0.0")
	k := newKeySigner(t)
	s := withFormat(t, k, config.FormatBundle)
	if err := s.SignManifest(ctx, repo, digest); err != nil {
		t.Fatal(err)
	}
	ref, err := name.NewDigest(repo+"@"+digest, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	found, err := s.readBundles(ctx, ref)
	if err != nil || len(found) != 1 {
		t.Fatalf("readBundles = %v, %v", found, err)
	}
	pub, err := sigs.PublicKeyFromKeyRef(ctx, k.pubPath)
	if err != nil {
		t.Fatal(err)
	}
	empty, err := root.NewTrustedRoot(root.TrustedRootMediaType01, nil, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	sum := mustHex(t, digest)
	res, err := cosignpkg.VerifyNewBundle(ctx, &cosignpkg.CheckOpts{SigVerifier: pub, TrustedMaterial: empty, IgnoreTlog: true},
		sgverify.WithArtifactDigest("sha256", sum), found[0].bundle)
	if err != nil {
		t.Fatalf("cosign does not verify the bundle: %v", err)
	}
	if res.Statement.GetPredicateType() != signPredicateType {
		t.Errorf("predicate type %q", res.Statement.GetPredicateType())
	}
}

func TestSignManifest_bundleGoesToTheReferrersAPIWhereTheRegistryHasOne(t *testing.T) {
	isolate(t)
	ctx := context.Background()
	reg := startRegistry(t)
	front := startReferrersFront(t, reg.Host)
	repo, digest := pushChart(t, reg, "podinfo", "1.0.0")
	frontRepo := front.host + strings.TrimPrefix(repo, reg.Host)
	s := withFormat(t, newKeySigner(t), config.FormatBundle)

	if err := s.SignManifest(ctx, frontRepo, digest); err != nil {
		t.Fatal(err)
	}

	if n := front.fallbackTagPuts(); n != 0 {
		t.Errorf("%d fallback tag uploads to a registry with the referrers API", n)
	}
	st := verify(t, s, frontRepo, digest)
	if !st.Valid || st.Count != 1 || !slices.Equal(st.Formats, []string{state.SignatureFormatReferrer}) {
		t.Fatalf("VerifySignatures = %+v, want 1 valid bundle as a referrer", st)
	}
	if err := s.SignManifest(ctx, frontRepo, digest); err != nil {
		t.Fatal(err)
	}
	if st := verify(t, s, frontRepo, digest); st.Count != 1 {
		t.Errorf("after signing again: %d signatures, want 1", st.Count)
	}
}

func TestSignManifest_bothAddsOnlyTheMissingFormat(t *testing.T) {
	t.Run("legacy present", func(t *testing.T) {
		isolate(t)
		ctx := context.Background()
		reg := startRegistry(t)
		repo, digest := pushChart(t, reg, "podinfo", "1.0.0")
		k := newKeySigner(t)
		if err := k.signer.SignManifest(ctx, repo, digest); err != nil {
			t.Fatal(err)
		}
		both := withFormat(t, k, config.FormatBoth)
		if err := both.SignManifest(ctx, repo, digest); err != nil {
			t.Fatal(err)
		}
		if n := len(sigLayers(t, reg, repo, digest)); n != 1 {
			t.Errorf("signature tag has %d layers, want the 1 it had", n)
		}
		st := verify(t, both, repo, digest)
		want := []string{state.SignatureFormatLegacy, state.SignatureFormatFallbackTag}
		if !st.Valid || st.Count != 2 || !slices.Equal(st.Formats, want) {
			t.Fatalf("VerifySignatures = %+v, want 2 valid signatures in %v", st, want)
		}
	})
	t.Run("cosign v3 bundle present", func(t *testing.T) {
		isolate(t)
		ctx := context.Background()
		reg := startRegistry(t)
		repo, digest := pushChart(t, reg, "podinfo", "1.0.0")
		k := newKeySigner(t)
		attachBundle(t, "", repo, digest, cosignV3Bundle(t, k, digest, signPredicateType))
		both := withFormat(t, k, config.FormatBoth)
		if err := both.SignManifest(ctx, repo, digest); err != nil {
			t.Fatal(err)
		}
		if n := len(fallbackReferrers(t, repo, digest)); n != 1 {
			t.Errorf("the fallback tag lists %d bundles, want cosign's 1", n)
		}
		st := verify(t, both, repo, digest)
		if !st.Valid || st.Count != 2 || !slices.Equal(st.Formats, []string{state.SignatureFormatLegacy, state.SignatureFormatFallbackTag}) {
			t.Fatalf("VerifySignatures = %+v, want the legacy signature added", st)
		}
		// Another tool's bundle of another key stays listed beside relctl's.
	})
	t.Run("nothing present, keyless: one certificate for both", func(t *testing.T) {
		isolate(t)
		ctx := context.Background()
		reg := startRegistry(t)
		repo, digest := pushChart(t, reg, "podinfo", "1.0.0")
		sg := startSigstore(t)
		s := privateFormatSigner(t, sg, true, config.FormatBoth, sg.Actions(releaseWorkflow).Env)
		if err := s.SignManifest(ctx, repo, digest); err != nil {
			t.Fatal(err)
		}
		if n := sg.Certificates(); n != 1 {
			t.Errorf("Fulcio certified %d keys, want 1", n)
		}
		st := verify(t, privateFormatSigner(t, sg, true, config.FormatBoth, nil), repo, digest)
		if !st.Valid || st.Count != 2 || !slices.Equal(st.Formats, []string{state.SignatureFormatLegacy, state.SignatureFormatFallbackTag}) {
			t.Fatalf("VerifySignatures = %+v, want both formats valid", st)
		}
		certified, logged := sg.Certificates(), sg.Entries()
		if err := s.SignManifest(ctx, repo, digest); err != nil {
			t.Fatal(err)
		}
		if sg.Certificates() != certified || sg.Entries() != logged {
			t.Error("signing again certified or logged again")
		}
	})
}

func TestSignManifest_keylessBundleOfAPrivateSigstoreVerifiesWithItsTrustedRoot(t *testing.T) {
	for _, tlog := range []bool{true, false} {
		t.Run(map[bool]string{true: "tlog_upload", false: "no_tlog"}[tlog], func(t *testing.T) {
			isolate(t)
			ctx := context.Background()
			reg := startRegistry(t)
			repo, digest := pushChart(t, reg, "podinfo", "1.0.0")
			sg := startSigstore(t)
			s := privateFormatSigner(t, sg, tlog, config.FormatBundle, sg.Actions(releaseWorkflow).Env)
			if err := s.SignManifest(ctx, repo, digest); err != nil {
				t.Fatal(err)
			}
			if want := map[bool]int{true: 1, false: 0}[tlog]; sg.Entries() != want {
				t.Errorf("%d log entries, want %d", sg.Entries(), want)
			}
			st := verify(t, privateFormatSigner(t, sg, tlog, config.FormatBundle, nil), repo, digest)
			if !st.Valid || !slices.Equal(st.Formats, []string{state.SignatureFormatFallbackTag}) {
				t.Fatalf("VerifySignatures = %+v, want a valid keyless bundle", st)
			}
			other := privateSigner(t, sg, sg.TrustedRoot, tlog, config.Identity{Issuer: sigstoretest.GitHubIssuer, SubjectRegexp: "^https://github.com/acme/other/"}, nil)
			if st := verify(t, other, repo, digest); st.Valid {
				t.Errorf("valid for another identity: %+v", st)
			}
		})
	}
}

func TestSignBlob_bundleIsTheSigningOfTheSigAndPemAndVerifiesAlone(t *testing.T) {
	isolate(t)
	ctx := context.Background()
	sg := startSigstore(t)
	s := privateFormatSigner(t, sg, true, config.FormatBoth, sg.Actions(releaseWorkflow).Env)
	blob := []byte("podinfo-1.0.0.tgz bytes")

	first, err := s.SignBlob(ctx, blob)
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Signature) == 0 || len(first.Certificate) == 0 || len(first.Bundle) == 0 {
		t.Fatalf("SignBlob = %+v, want .sig, .pem and bundle", first)
	}
	if sg.Certificates() != 1 || sg.Entries() != 1 {
		t.Errorf("%d certificates, %d log entries for one signing, want 1 and 1", sg.Certificates(), sg.Entries())
	}
	var b sgbundle.Bundle
	if err := b.UnmarshalJSON(first.Bundle); err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.StdEncoding.DecodeString(string(first.Signature))
	if !bytes.Equal(b.GetMessageSignature().GetSignature(), raw) {
		t.Error("the bundle's signature is not the .sig's")
	}
	verifier := privateFormatSigner(t, sg, true, config.FormatBoth, nil)
	if err := verifier.VerifyBlob(ctx, blob, first); err != nil {
		t.Fatalf("VerifyBlob(.sig, .pem, bundle): %v", err)
	}
	if err := verifier.VerifyBlob(ctx, blob, &state.BlobSignature{Bundle: first.Bundle}); err != nil {
		t.Fatalf("VerifyBlob(bundle alone): %v", err)
	}
	// sigstore-go, given the trusted root, the identity and the bytes.
	tr, err := root.NewTrustedRootFromPath(sg.TrustedRoot)
	if err != nil {
		t.Fatal(err)
	}
	v, err := sgverify.NewVerifier(tr, sgverify.WithTransparencyLog(1), sgverify.WithIntegratedTimestamps(1), sgverify.WithSignedCertificateTimestamps(1))
	if err != nil {
		t.Fatal(err)
	}
	id, err := sgverify.NewShortCertificateIdentity(sigstoretest.GitHubIssuer, "", "", chartsIdentity.SubjectRegexp)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(&b, sgverify.NewPolicy(sgverify.WithArtifact(bytes.NewReader(blob)), sgverify.WithCertificateIdentity(id))); err != nil {
		t.Fatalf("sigstore-go does not verify the blob bundle: %v", err)
	}

	if err := verifier.VerifyBlob(ctx, append(blob, '!'), &state.BlobSignature{Bundle: first.Bundle}); err == nil {
		t.Error("the bundle verified other bytes")
	}
	second, err := s.SignBlob(ctx, blob)
	if err != nil {
		t.Fatal(err)
	}
	for what, mixed := range map[string]*state.BlobSignature{
		"bundle of another signing": {Signature: first.Signature, Certificate: first.Certificate, Bundle: second.Bundle},
		".pem of another signing":   {Signature: second.Signature, Certificate: first.Certificate, Bundle: second.Bundle},
	} {
		if err := verifier.VerifyBlob(ctx, blob, mixed); err == nil {
			t.Errorf("%s: verified as one set", what)
		}
	}
}

func TestSignBlob_keyModeFormatsWriteTheirFilesOnly(t *testing.T) {
	isolate(t)
	ctx := context.Background()
	k := newKeySigner(t)
	blob := []byte("podinfo-1.0.0.tgz bytes")
	for _, f := range []config.SignatureFormat{config.FormatLegacy, config.FormatBundle, config.FormatBoth} {
		s := withFormat(t, k, f)
		sig, err := s.SignBlob(ctx, blob)
		if err != nil {
			t.Fatal(err)
		}
		if (len(sig.Signature) > 0) != f.Writes(config.FormatLegacy) || (len(sig.Bundle) > 0) != f.Writes(config.FormatBundle) || sig.Certificate != nil {
			t.Errorf("format %s: SignBlob = .sig %d bytes, bundle %d bytes, .pem %d bytes", f, len(sig.Signature), len(sig.Bundle), len(sig.Certificate))
		}
		if err := s.VerifyBlob(ctx, blob, sig); err != nil {
			t.Errorf("format %s: VerifyBlob: %v", f, err)
		}
		if f == config.FormatBundle {
			var b map[string]any
			if err := json.Unmarshal(sig.Bundle, &b); err != nil || b["mediaType"] != BundleMediaType {
				t.Errorf("bundle %s: %v", sig.Bundle, err)
			}
			if err := newKeySigner(t).signer.VerifyBlob(ctx, blob, sig); err == nil {
				t.Error("another key verified the bundle")
			}
		}
	}
}

func mustHex(t *testing.T, digest string) []byte {
	t.Helper()
	var b []byte
	_, err := fmt.Sscanf(strings.TrimPrefix(digest, "sha256:"), "%x", &b)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
