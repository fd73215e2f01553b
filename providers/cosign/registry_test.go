package cosign

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"golang.org/x/sync/errgroup"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/state"
)

func TestSigner_usesRELCTL_REGISTRYCredentialsAndReportsRefusalAsUnauthorized(t *testing.T) {
	isolate(t)
	ctx := context.Background()
	reg := startRegistryWithLogin(t, "ci", "registry-pa55word")
	repo, digest := pushChart(t, reg, "podinfo", "1.0.0")
	priv, _, err := GenerateKeyPair(t.TempDir(), []byte(testPassword))
	if err != nil {
		t.Fatal(err)
	}
	newSigner := func(vars map[string]string) *Signer {
		vars["COSIGN_PASSWORD"] = testPassword
		s, err := New(ctx, Options{
			Signing:           config.Signing{Mode: config.SigningKey, Key: priv},
			Getenv:            env(vars),
			AllowHTTPRegistry: true,
		})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	loggedIn := newSigner(map[string]string{"RELCTL_REGISTRY_USERNAME": "ci", "RELCTL_REGISTRY_PASSWORD": "registry-pa55word"})
	anonymous := newSigner(map[string]string{})

	if err := loggedIn.SignManifest(ctx, repo, digest); err != nil {
		t.Fatal(err)
	}
	if st := verify(t, loggedIn, repo, digest); !st.Valid {
		t.Fatalf("VerifySignatures = %+v, want valid", st)
	}

	_, err = anonymous.VerifySignatures(ctx, repo, digest)
	if !errors.Is(err, state.ErrUnauthorized) {
		t.Fatalf("VerifySignatures without credentials = %v, want ErrUnauthorized", err)
	}
	assertNoSecret(t, err, "registry-pa55word", testPassword)
}

func TestSignManifest_oneSignerSignsSeveralChartsConcurrently(t *testing.T) {
	isolate(t)
	ctx := context.Background()
	reg := startRegistry(t)
	k := newKeySigner(t)
	type chart struct{ repo, digest string }
	var charts []chart
	for i := range 3 {
		repo, digest := pushChart(t, reg, fmt.Sprintf("chart%d", i), "1.0.0")
		charts = append(charts, chart{repo, digest})
	}

	var g errgroup.Group
	for _, c := range charts {
		g.Go(func() error { return k.signer.SignManifest(ctx, c.repo, c.digest) })
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}

	for _, c := range charts {
		if st := verify(t, k.signer, c.repo, c.digest); !st.Valid || st.Count != 1 {
			t.Errorf("%s: VerifySignatures = %+v, want 1 valid signature", c.repo, st)
		}
	}
}
