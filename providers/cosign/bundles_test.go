package cosign

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	ociremote "github.com/sigstore/cosign/v2/pkg/oci/remote"
	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	protodsse "github.com/sigstore/protobuf-specs/gen/pb-go/dsse"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/relctl/relctl/state"
)

// cosignV3Bundle builds the Sigstore bundle `cosign sign --key` of cosign
// v3 makes for a manifest digest (cmd/cosign/cli/sign/sign.go
// signDigestBundle): a DSSE envelope over an in-toto statement whose
// subject is the digest, with cosign's signature predicate, and the key's
// hint as verification material, without transparency log entries
// (`--tlog-upload=false`).
func cosignV3Bundle(t *testing.T, k keyFixture, subjectDigest, predicateType string) []byte {
	t.Helper()
	pub, err := k.signer.sv.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	der, err := cryptoutils.MarshalPublicKeyToDER(pub)
	if err != nil {
		t.Fatal(err)
	}
	hint := sha256.Sum256(der)
	vm := &protobundle.VerificationMaterial{
		Content: &protobundle.VerificationMaterial_PublicKey{PublicKey: &protocommon.PublicKeyIdentifier{Hint: base64.StdEncoding.EncodeToString(hint[:])}},
	}
	return dsseBundle(t, k.signer.sv, vm, subjectDigest, predicateType)
}

// cosignV3KeylessBundle is the bundle cosign v3 makes in keyless mode: the
// same envelope, signed by an ephemeral key, with its Fulcio certificate as
// verification material.
func cosignV3KeylessBundle(t *testing.T, s *Signer, subjectDigest string) []byte {
	t.Helper()
	fs, err := s.keylessSigner(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	certs, err := cryptoutils.UnmarshalCertificatesFromPEM(fs.Cert)
	if err != nil || len(certs) == 0 {
		t.Fatalf("Fulcio certificate: %v", err)
	}
	vm := &protobundle.VerificationMaterial{
		Content: &protobundle.VerificationMaterial_Certificate{Certificate: &protocommon.X509Certificate{RawBytes: certs[0].Raw}},
	}
	return dsseBundle(t, fs, vm, subjectDigest, signPredicateType)
}

func dsseBundle(t *testing.T, signer signature.Signer, vm *protobundle.VerificationMaterial, subjectDigest, predicateType string) []byte {
	t.Helper()
	alg, hexDigest, _ := strings.Cut(subjectDigest, ":")
	statement, err := json.Marshal(map[string]any{
		"_type":         "https://in-toto.io/Statement/v1",
		"subject":       []any{map[string]any{"digest": map[string]string{alg: hexDigest}}},
		"predicateType": predicateType,
		"predicate":     map[string]any{},
	})
	if err != nil {
		t.Fatal(err)
	}
	pae := fmt.Sprintf("DSSEv1 %d %s %d %s", len(inTotoPayloadType), inTotoPayloadType, len(statement), statement)
	sig, err := signer.SignMessage(strings.NewReader(pae))
	if err != nil {
		t.Fatal(err)
	}
	b, err := protojson.Marshal(&protobundle.Bundle{
		MediaType:            "application/vnd.dev.sigstore.bundle.v0.3+json",
		VerificationMaterial: vm,
		Content: &protobundle.Bundle_DsseEnvelope{DsseEnvelope: &protodsse.Envelope{
			Payload:     statement,
			PayloadType: inTotoPayloadType,
			Signatures:  []*protodsse.Signature{{Sig: sig}},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// attachBundle stores a bundle for repo@digest with the function cosign v3
// uses (WriteAttestationNewBundleFormat, the same in cosign v2.6.5): a
// referrer manifest whose subject is the chart, which go-containerregistry
// also lists in the fallback tag's index.
func attachBundle(t *testing.T, host, repo, digest string, bundle []byte) {
	t.Helper()
	ref, err := name.NewDigest(repo+"@"+digest, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if host != "" {
		ref, err = name.NewDigest(host+strings.TrimPrefix(repo, ref.RegistryStr())+"@"+digest, name.Insecure)
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := ociremote.WriteAttestationNewBundleFormat(ref, bundle, signPredicateType, ociremote.WithRemoteOptions(remote.WithContext(context.Background()))); err != nil {
		t.Fatal(err)
	}
}

// tagExists reports whether repo:tag resolves.
func tagExists(t *testing.T, repo, tag string) bool {
	t.Helper()
	ref, err := name.NewTag(repo+":"+tag, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	_, err = remote.Head(ref)
	if isNotFound(err) {
		return false
	}
	if err != nil {
		t.Fatal(err)
	}
	return true
}

func TestVerifySignatures_cosignV3BundleUnderTheFallbackTagIsValidAndNotSignedAgain(t *testing.T) {
	isolate(t)
	ctx := context.Background()
	reg := startRegistry(t)
	repo, digest := pushChart(t, reg, "podinfo", "1.0.0")
	k := newKeySigner(t)
	attachBundle(t, "", repo, digest, cosignV3Bundle(t, k, digest, signPredicateType))
	if !tagExists(t, repo, strings.Replace(digest, ":", "-", 1)) {
		t.Fatal("the fixture wrote no fallback tag; the test proves nothing")
	}

	st := verify(t, k.signer, repo, digest)
	if !st.Valid || st.Count != 1 || !slices.Equal(st.Formats, []string{state.SignatureFormatFallbackTag}) {
		t.Fatalf("VerifySignatures = %+v, want 1 valid signature in the fallback tag", st)
	}
	if st.Reason != "1 valid signature: bundle (fallback tag)" {
		t.Errorf("reason = %q", st.Reason)
	}

	if err := k.signer.SignManifest(ctx, repo, digest); err != nil {
		t.Fatal(err)
	}
	if tagExists(t, repo, sigTag(digest)) {
		t.Error("a chart signed in bundle format was signed again in the legacy format")
	}
}

func TestVerifySignatures_cosignV3BundleAsAReferrerIsValid(t *testing.T) {
	isolate(t)
	ctx := context.Background()
	reg := startRegistry(t)
	front := startReferrersFront(t, reg.Host)
	repo, digest := pushChart(t, reg, "podinfo", "1.0.0")
	frontRepo := front.host + strings.TrimPrefix(repo, reg.Host)
	k := newKeySigner(t)
	attachBundle(t, front.host, repo, digest, cosignV3Bundle(t, k, digest, signPredicateType))
	if tagExists(t, repo, strings.Replace(digest, ":", "-", 1)) {
		t.Fatal("the referrers registry wrote a fallback tag; the test would not isolate the referrers API")
	}

	st := verify(t, k.signer, frontRepo, digest)
	if !st.Valid || st.Count != 1 || !slices.Equal(st.Formats, []string{state.SignatureFormatReferrer}) {
		t.Fatalf("VerifySignatures = %+v, want 1 valid signature as a referrer", st)
	}
	if front.referrerGets() == 0 {
		t.Error("the referrers API was never asked")
	}
	if err := k.signer.SignManifest(ctx, frontRepo, digest); err != nil {
		t.Fatal(err)
	}
	if tagExists(t, repo, sigTag(digest)) {
		t.Error("a chart signed as a referrer was signed again in the legacy format")
	}
}

func TestVerifySignatures_bundlesThatAreNotThisKeysSignatureOfThisDigestDoNotCount(t *testing.T) {
	isolate(t)
	reg := startRegistry(t)
	repo, digest := pushChart(t, reg, "podinfo", "1.0.0")
	_, otherDigest := pushChart(t, reg, "podinfo", "1.0.1")
	mine, other := newKeySigner(t), newKeySigner(t)

	// Another key's signature, this key's signature of another manifest
	// replayed onto this one, and this key's attestation (not a signature,
	// and not counted as one).
	attachBundle(t, "", repo, digest, cosignV3Bundle(t, other, digest, signPredicateType))
	attachBundle(t, "", repo, digest, cosignV3Bundle(t, mine, otherDigest, signPredicateType))
	attachBundle(t, "", repo, digest, cosignV3Bundle(t, mine, digest, "https://slsa.dev/provenance/v1"))

	st := verify(t, mine.signer, repo, digest)
	if st.Valid || st.Count != 2 || len(st.Formats) != 0 {
		t.Fatalf("VerifySignatures = %+v, want 2 signatures, none valid", st)
	}
	if st.Reason != "2 signatures, none valid for the configured key" {
		t.Errorf("reason = %q", st.Reason)
	}
}

func TestVerifySignatures_aValidLegacySignatureEndsTheSearch(t *testing.T) {
	isolate(t)
	ctx := context.Background()
	reg := startRegistry(t)
	repo, digest := pushChart(t, reg, "podinfo", "1.0.0")
	k := newKeySigner(t)
	if err := k.signer.SignManifest(ctx, repo, digest); err != nil {
		t.Fatal(err)
	}
	attachBundle(t, "", repo, digest, cosignV3Bundle(t, k, digest, signPredicateType))

	// The legacy signature satisfies the signing block: the bundle beside
	// it is not read, nor counted.
	st := verify(t, k.signer, repo, digest)
	want := []string{state.SignatureFormatLegacy}
	if !st.Valid || st.Count != 1 || !slices.Equal(st.Formats, want) {
		t.Fatalf("VerifySignatures = %+v, want 1 valid signature in %v", st, want)
	}
}

func TestVerifySignatures_keylessCosignV3BundleOfTheWorkflowIdentityIsValidAndNotSignedAgain(t *testing.T) {
	isolate(t)
	ctx := context.Background()
	reg := startRegistry(t)
	repo, digest := pushChart(t, reg, "podinfo", "1.0.0")
	k := startKeyless(t)
	s := k.signer(t, chartsSubject, k.actionsEnv())
	attachBundle(t, "", repo, digest, cosignV3KeylessBundle(t, s, digest))
	certified := k.fulcio.Requests.Load()

	st := verify(t, s, repo, digest)
	if !st.Valid || st.Count != 1 || !slices.Equal(st.Formats, []string{state.SignatureFormatFallbackTag}) {
		t.Fatalf("VerifySignatures = %+v, want 1 valid keyless signature in the fallback tag", st)
	}
	if err := s.SignManifest(ctx, repo, digest); err != nil {
		t.Fatal(err)
	}
	if tagExists(t, repo, sigTag(digest)) || k.fulcio.Requests.Load() != certified {
		t.Error("a chart signed keyless in bundle format was signed again")
	}

	// Another workflow's identity is not the configured one.
	other := k.signer(t, "^https://github.com/acme/other/", k.actionsEnv())
	if st := verify(t, other, repo, digest); st.Valid || st.Count != 1 {
		t.Errorf("VerifySignatures for another identity = %+v, want 1 signature, not valid", st)
	}
}

// referrersFront stands in front of the in-process registry (which, like
// GHCR, has no referrers API) and adds one, as a registry implementing OCI
// distribution 1.1 does: it answers a manifest upload that has a subject
// with the OCI-Subject header, lists such manifests at
// GET /v2/<name>/referrers/<digest>, and, since such a registry needs no
// fallback tag, accepts a fallback tag upload without storing it.
type referrersFront struct {
	host string
	mu   sync.Mutex
	refs map[string][]map[string]any // "<name>@<subject digest>" → descriptors
	gets int
	// fallbacks counts fallback tag uploads, which a client that saw
	// OCI-Subject need not make.
	fallbacks int
}

var (
	manifestPath  = regexp.MustCompile(`^/v2/(.+)/manifests/([^/]+)$`)
	referrersPath = regexp.MustCompile(`^/v2/(.+)/referrers/([^/]+)$`)
	fallbackTagRe = regexp.MustCompile(`^sha256-[0-9a-f]{64}$`)
)

func startReferrersFront(t *testing.T, registryHost string) *referrersFront {
	t.Helper()
	f := &referrersFront{refs: map[string][]map[string]any{}}
	proxy := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: "http", Host: registryHost})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if m := referrersPath.FindStringSubmatch(r.URL.Path); m != nil && r.Method == http.MethodGet {
			f.mu.Lock()
			f.gets++
			list := f.refs[m[1]+"@"+m[2]]
			f.mu.Unlock()
			if list == nil {
				list = []map[string]any{}
			}
			w.Header().Set("Content-Type", "application/vnd.oci.image.index.v1+json")
			json.NewEncoder(w).Encode(map[string]any{"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": list}) //nolint:errcheck
			return
		}
		m := manifestPath.FindStringSubmatch(r.URL.Path)
		if m == nil || r.Method != http.MethodPut {
			proxy.ServeHTTP(w, r)
			return
		}
		if fallbackTagRe.MatchString(m[2]) {
			f.mu.Lock()
			f.fallbacks++
			f.mu.Unlock()
			w.WriteHeader(http.StatusCreated)
			return
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		var mf struct {
			MediaType    string `json:"mediaType"`
			ArtifactType string `json:"artifactType"`
			Subject      *struct {
				Digest string `json:"digest"`
			} `json:"subject"`
		}
		json.Unmarshal(body, &mf) //nolint:errcheck // not every manifest is JSON we know
		r.Body = io.NopCloser(bytes.NewReader(body))
		rec := httptest.NewRecorder()
		proxy.ServeHTTP(rec, r)
		if rec.Code == http.StatusCreated && mf.Subject != nil {
			f.mu.Lock()
			key := m[1] + "@" + mf.Subject.Digest
			f.refs[key] = append(f.refs[key], map[string]any{
				"mediaType": mf.MediaType, "artifactType": mf.ArtifactType,
				"digest": fmt.Sprintf("sha256:%x", sha256.Sum256(body)), "size": len(body),
			})
			f.mu.Unlock()
			rec.Header().Set("OCI-Subject", mf.Subject.Digest)
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		w.Write(rec.Body.Bytes()) //nolint:errcheck
	}))
	t.Cleanup(srv.Close)
	f.host = strings.TrimPrefix(srv.URL, "http://")
	return f
}

func (f *referrersFront) referrerGets() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.gets
}

func (f *referrersFront) fallbackTagPuts() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.fallbacks
}
