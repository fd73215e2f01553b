package cosign

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	cosignpkg "github.com/sigstore/cosign/v2/pkg/cosign"
	"github.com/sigstore/sigstore-go/pkg/root"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/providers/cosign/sigstoretest"
)

var releaseWorkflow = sigstoretest.Identity{
	Issuer:      sigstoretest.GitHubIssuer,
	WorkflowRef: "acme/charts/.github/workflows/release.yaml@refs/heads/main",
}

func startSigstore(t *testing.T) *sigstoretest.Sigstore {
	t.Helper()
	s, err := sigstoretest.Start(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// privateSigner signs with a private Sigstore described by its trusted
// root alone: no FulcioRoots, no SCT skipping, no TUF. Without vars (no
// token source) it only verifies, as plan does.
func privateSigner(t *testing.T, sg *sigstoretest.Sigstore, trustedRoot string, tlog bool, id config.Identity, vars map[string]string) *Signer {
	t.Helper()
	s, err := New(context.Background(), Options{
		Signing: config.Signing{
			Mode:        config.SigningKeyless,
			Identity:    id,
			FulcioURL:   sg.FulcioURL,
			RekorURL:    sg.RekorURL,
			TrustedRoot: trustedRoot,
			TlogUpload:  tlog,
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

func TestKeyless_privateSigstore_signaturesVerifyAgainstTheTrustedRootAlone(t *testing.T) {
	for _, tlog := range []bool{true, false} {
		t.Run(map[bool]string{true: "tlog_upload", false: "no_tlog"}[tlog], func(t *testing.T) {
			isolate(t)
			ctx := context.Background()
			reg := startRegistry(t)
			repo, digest := pushChart(t, reg, "podinfo", "1.0.0")
			sg := startSigstore(t)
			actions := sg.Actions(releaseWorkflow)
			id := config.Identity{Issuer: sigstoretest.GitHubIssuer, SubjectRegexp: "^https://github.com/acme/charts/"}
			s := privateSigner(t, sg, sg.TrustedRoot, tlog, id, actions.Env)

			if err := s.SignManifest(ctx, repo, digest); err != nil {
				t.Fatal(err)
			}
			blob := []byte("podinfo-1.0.0.tgz bytes")
			sig, err := s.SignBlob(ctx, blob)
			if err != nil {
				t.Fatal(err)
			}

			if st := verify(t, s, repo, digest); !st.Valid || st.Count != 1 || st.Reason != "1 valid signature: legacy" {
				t.Errorf("VerifySignatures = %+v, want 1 valid signature, in the legacy format", st)
			}
			if err := s.VerifyBlob(ctx, blob, sig); err != nil {
				t.Errorf("VerifyBlob: %v", err)
			}
			wantEntries := map[bool]int{true: 2, false: 0}[tlog]
			if sg.Certificates() != 2 || sg.Entries() != wantEntries {
				t.Errorf("Fulcio issued %d certificates, Rekor holds %d entries; want 2 and %d", sg.Certificates(), sg.Entries(), wantEntries)
			}

			// cosign, given the trusted root as its own trusted material
			// (sigstore-go's chain, SCT and SET checks), agrees.
			tr, err := root.NewTrustedRootFromPath(sg.TrustedRoot)
			if err != nil {
				t.Fatal(err)
			}
			ref, err := name.NewDigest(repo+"@"+digest, name.Insecure)
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := cosignpkg.VerifyImageSignatures(ctx, ref, &cosignpkg.CheckOpts{
				TrustedMaterial: tr,
				Identities:      []cosignpkg.Identity{{Issuer: id.Issuer, SubjectRegExp: id.SubjectRegexp}},
				ClaimVerifier:   cosignpkg.SimpleClaimVerifier,
				IgnoreTlog:      !tlog,
			}); err != nil {
				t.Errorf("cosign with the trusted root does not verify the signature: %v", err)
			}
		})
	}
}

func TestKeyless_privateSigstore_otherIssuerOrSubjectIsNotTheConfiguredIdentity(t *testing.T) {
	isolate(t)
	ctx := context.Background()
	reg := startRegistry(t)
	repo, digest := pushChart(t, reg, "podinfo", "1.0.0")
	sg := startSigstore(t)
	signer := privateSigner(t, sg, sg.TrustedRoot, true,
		config.Identity{Issuer: sigstoretest.GitHubIssuer, SubjectRegexp: "^https://github.com/acme/charts/"}, sg.Actions(releaseWorkflow).Env)
	if err := signer.SignManifest(ctx, repo, digest); err != nil {
		t.Fatal(err)
	}

	for what, id := range map[string]config.Identity{
		"issuer":  {Issuer: "https://gitlab.com", SubjectRegexp: "^https://github.com/acme/charts/"},
		"subject": {Issuer: sigstoretest.GitHubIssuer, SubjectRegexp: "^https://github.com/acme/other/"},
	} {
		verifier := privateSigner(t, sg, sg.TrustedRoot, true, id, nil)
		st := verify(t, verifier, repo, digest)
		if st.Valid || st.Reason != "1 signature, not valid for the configured identity" {
			t.Errorf("another %s: VerifySignatures = %+v, want not valid for the configured identity", what, st)
		}
	}
}

func TestKeyless_privateSigstore_certificateFromAnUntrustedDeploymentIsRefusedBeforeSigning(t *testing.T) {
	isolate(t)
	ctx := context.Background()
	reg := startRegistry(t)
	repo, digest := pushChart(t, reg, "podinfo", "1.0.0")
	sg, other := startSigstore(t), startSigstore(t)
	// Fulcio and Rekor of sg, but the trust of another deployment: the
	// certificate's SCT is from a CT log that root does not list.
	s := privateSigner(t, sg, other.TrustedRoot, true,
		config.Identity{Issuer: sigstoretest.GitHubIssuer, SubjectRegexp: "^https://github.com/acme/charts/"}, sg.Actions(releaseWorkflow).Env)

	err := s.SignManifest(ctx, repo, digest)
	if err == nil || !strings.Contains(err.Error(), "has no valid SCT from a trusted CT log (trusted root "+other.TrustedRoot+")") {
		t.Fatalf("SignManifest = %v, want the SCT refused, naming the trusted root", err)
	}
	if st := verify(t, s, repo, digest); st.Count != 0 {
		t.Errorf("%d signatures pushed, want none", st.Count)
	}
	if sg.Entries() != 0 {
		t.Errorf("Rekor holds %d entries, want none: nothing is logged for a refused certificate", sg.Entries())
	}
}
