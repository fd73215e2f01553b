package cosign

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	cosignpkg "github.com/sigstore/cosign/v2/pkg/cosign"
	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	protodsse "github.com/sigstore/protobuf-specs/gen/pb-go/dsse"
	protorekor "github.com/sigstore/protobuf-specs/gen/pb-go/rekor/v1"
	"github.com/sigstore/rekor/pkg/tle"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/providers/cosign/sigstoretest"
	"github.com/relctl/relctl/state"
)

// privateKeylessBundle is the bundle cosign v3 makes in keyless mode
// against a private Sigstore: a DSSE envelope over cosign's signature
// statement for subjectDigest, signed by an ephemeral key certified by
// that deployment's Fulcio (with its SCT), and, with logged, the
// transparency log entry of that signature in its Rekor, with inclusion
// proof and signed entry timestamp. cosign v3 logs a dsse entry; the
// stand-in Rekor accepts hashedrekord entries only, so the entry is a
// hashedrekord of the same signature, certificate and signed bytes (PAE),
// which is what sigstore-go compares against the bundle.
func privateKeylessBundle(t *testing.T, s *Signer, subjectDigest string, logged bool) []byte {
	t.Helper()
	ctx := context.Background()
	fs, err := s.keylessSigner(ctx)
	if err != nil {
		t.Fatal(err)
	}
	certs, err := cryptoutils.UnmarshalCertificatesFromPEM(fs.Cert)
	if err != nil || len(certs) == 0 {
		t.Fatalf("Fulcio certificate: %v", err)
	}
	alg, hexDigest, _ := strings.Cut(subjectDigest, ":")
	statement, err := json.Marshal(map[string]any{
		"_type":         "https://in-toto.io/Statement/v1",
		"subject":       []any{map[string]any{"digest": map[string]string{alg: hexDigest}}},
		"predicateType": signPredicateType,
		"predicate":     map[string]any{},
	})
	if err != nil {
		t.Fatal(err)
	}
	pae := fmt.Sprintf("DSSEv1 %d %s %d %s", len(inTotoPayloadType), inTotoPayloadType, len(statement), statement)
	sig, err := fs.SignMessage(strings.NewReader(pae))
	if err != nil {
		t.Fatal(err)
	}
	vm := &protobundle.VerificationMaterial{
		Content: &protobundle.VerificationMaterial_Certificate{Certificate: &protocommon.X509Certificate{RawBytes: certs[0].Raw}},
	}
	if logged {
		client, err := s.rekorClient()
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.New()
		sum.Write([]byte(pae))
		entry, err := cosignpkg.TLogUpload(ctx, client, sig, sum, fs.Cert)
		if err != nil {
			t.Fatal(err)
		}
		e, err := tle.GenerateTransparencyLogEntry(*entry)
		if err != nil {
			t.Fatal(err)
		}
		vm.TlogEntries = []*protorekor.TransparencyLogEntry{e}
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

var chartsIdentity = config.Identity{Issuer: sigstoretest.GitHubIssuer, SubjectRegexp: "^https://github.com/acme/charts/"}

func TestVerifySignatures_keylessBundleOfAPrivateSigstoreIsValidForTheConfiguredIdentityOnly(t *testing.T) {
	for _, tlog := range []bool{true, false} {
		t.Run(map[bool]string{true: "tlog_upload", false: "no_tlog"}[tlog], func(t *testing.T) {
			isolate(t)
			ctx := context.Background()
			reg := startRegistry(t)
			repo, digest := pushChart(t, reg, "podinfo", "1.0.0")
			sg := startSigstore(t)
			s := privateSigner(t, sg, sg.TrustedRoot, tlog, chartsIdentity, sg.Actions(releaseWorkflow).Env)
			attachBundle(t, "", repo, digest, privateKeylessBundle(t, s, digest, tlog))
			certified, logged := sg.Certificates(), sg.Entries()

			st := verify(t, s, repo, digest)
			if !st.Valid || st.Count != 1 || !slices.Equal(st.Formats, []string{state.SignatureFormatFallbackTag}) {
				t.Fatalf("VerifySignatures = %+v, want 1 valid keyless signature in the fallback tag", st)
			}
			if err := s.SignManifest(ctx, repo, digest); err != nil {
				t.Fatal(err)
			}
			if tagExists(t, repo, sigTag(digest)) || sg.Certificates() != certified || sg.Entries() != logged {
				t.Error("a chart signed keyless in bundle format by the configured identity was signed again")
			}

			for what, id := range map[string]config.Identity{
				"issuer":  {Issuer: "https://gitlab.com", SubjectRegexp: chartsIdentity.SubjectRegexp},
				"subject": {Issuer: sigstoretest.GitHubIssuer, SubjectRegexp: "^https://github.com/acme/other/"},
			} {
				st := verify(t, privateSigner(t, sg, sg.TrustedRoot, tlog, id, nil), repo, digest)
				if st.Valid || st.Reason != "1 signature, not valid for the configured identity" {
					t.Errorf("another %s: VerifySignatures = %+v, want not valid for the configured identity", what, st)
				}
			}
		})
	}
}

func TestVerifySignatures_keylessBundleWithoutALogEntryIsNotValidWhenTheLogIsRequired(t *testing.T) {
	isolate(t)
	reg := startRegistry(t)
	repo, digest := pushChart(t, reg, "podinfo", "1.0.0")
	sg := startSigstore(t)
	signer := privateSigner(t, sg, sg.TrustedRoot, false, chartsIdentity, sg.Actions(releaseWorkflow).Env)
	attachBundle(t, "", repo, digest, privateKeylessBundle(t, signer, digest, false))

	if st := verify(t, privateSigner(t, sg, sg.TrustedRoot, false, chartsIdentity, nil), repo, digest); !st.Valid {
		t.Fatalf("without tlog_upload: VerifySignatures = %+v, want valid; the test would prove nothing", st)
	}
	st := verify(t, privateSigner(t, sg, sg.TrustedRoot, true, chartsIdentity, nil), repo, digest)
	if st.Valid || st.Count != 1 || st.Reason != "1 signature, not valid for the configured identity" {
		t.Errorf("with tlog_upload: VerifySignatures = %+v, want 1 signature, not valid", st)
	}
}

func TestVerifySignatures_keylessBundleFromAnotherSigstoreIsNotValid(t *testing.T) {
	isolate(t)
	reg := startRegistry(t)
	repo, digest := pushChart(t, reg, "podinfo", "1.0.0")
	sg, other := startSigstore(t), startSigstore(t)
	// Signed and logged by another deployment, for the same identity: its
	// Fulcio, CT log and Rekor are not in the configured trusted root.
	signer := privateSigner(t, other, other.TrustedRoot, true, chartsIdentity, other.Actions(releaseWorkflow).Env)
	attachBundle(t, "", repo, digest, privateKeylessBundle(t, signer, digest, true))

	st := verify(t, privateSigner(t, sg, sg.TrustedRoot, true, chartsIdentity, nil), repo, digest)
	if st.Valid || st.Count != 1 {
		t.Errorf("VerifySignatures = %+v, want 1 signature, not valid", st)
	}
}
