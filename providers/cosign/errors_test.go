package cosign

import (
	"context"
	"errors"
	"io/fs"
	"net"
	"path/filepath"
	"strings"
	"testing"

	"github.com/relctl/relctl/config"
)

func TestNew_wrongPasswordNamesTheKeyAndCOSIGN_PASSWORDButNotThePassword(t *testing.T) {
	isolate(t)
	priv, _, err := GenerateKeyPair(t.TempDir(), []byte(testPassword))
	if err != nil {
		t.Fatal(err)
	}
	const wrong = "wrong-password-1234"

	_, err = New(context.Background(), Options{
		Signing: config.Signing{Mode: config.SigningKey, Key: priv},
		Getenv:  env(map[string]string{"COSIGN_PASSWORD": wrong}),
	})

	if err == nil {
		t.Fatal("New accepted a wrong password")
	}
	for _, want := range []string{priv, "COSIGN_PASSWORD", "does not decrypt"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	assertNoSecret(t, err, wrong, testPassword)
}

func TestNew_missingKeyFileNamesThePath(t *testing.T) {
	isolate(t)
	path := filepath.Join(t.TempDir(), "cosign.key")

	_, err := New(context.Background(), Options{
		Signing: config.Signing{Mode: config.SigningKey, Key: path},
		Getenv:  env(map[string]string{"COSIGN_PASSWORD": testPassword}),
	})

	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), path) {
		t.Fatalf("New with a missing key = %v, want ErrNotExist naming %s", err, path)
	}
	assertNoSecret(t, err, testPassword)
}

func TestNew_kmsSchemeWithoutProviderSaysSo(t *testing.T) {
	isolate(t)
	_, err := New(context.Background(), Options{
		Signing: config.Signing{Mode: config.SigningKey, Key: "awskms:///arn:aws:kms:eu-west-1:1:key/x"},
		Getenv:  env(nil),
	})
	if err == nil || !strings.Contains(err.Error(), "no awskms key provider") {
		t.Fatalf("New with an unregistered KMS = %v, want an error naming the provider", err)
	}
}

func TestNew_keylessWithoutTokenSaysHowToProvideOne(t *testing.T) {
	isolate(t)
	_, err := New(context.Background(), Options{
		Signing: config.Signing{
			Mode:     config.SigningKeyless,
			Identity: config.Identity{Issuer: githubIssuer, SubjectRegexp: chartsSubject},
		},
		Getenv: env(nil),
	})
	if err == nil {
		t.Fatal("New keyless without a token source succeeded")
	}
	for _, want := range []string{"id-token: write", "SIGSTORE_ID_TOKEN"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

func TestNew_keylessWithoutIdentityIsRefused(t *testing.T) {
	isolate(t)
	_, err := New(context.Background(), Options{
		Signing: config.Signing{Mode: config.SigningKeyless},
		Getenv:  env(map[string]string{"SIGSTORE_ID_TOKEN": "x"}),
	})
	if err == nil || !strings.Contains(err.Error(), "subject_regexp") {
		t.Fatalf("New keyless without identity = %v, want an error about the identity", err)
	}
}

func TestSignBlob_fulcioUnreachableNamesTheFulcioURLButNotTheToken(t *testing.T) {
	isolate(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fulcioURL := "http://" + ln.Addr().String()
	ln.Close()
	token := newOIDCToken(t)
	s, err := New(context.Background(), Options{
		Signing: config.Signing{
			Mode:      config.SigningKeyless,
			Identity:  config.Identity{Issuer: githubIssuer, SubjectRegexp: chartsSubject},
			FulcioURL: fulcioURL,
		},
		Getenv:  env(map[string]string{"SIGSTORE_ID_TOKEN": token}),
		SkipSCT: true,
	})
	if err != nil {
		t.Fatal(err)
	}

	_, err = s.SignBlob(context.Background(), []byte("x"))

	if err == nil || !strings.Contains(err.Error(), fulcioURL) {
		t.Fatalf("SignBlob with Fulcio down = %v, want an error naming %s", err, fulcioURL)
	}
	assertNoSecret(t, err, token)
}

func TestSignBlob_refusedActionsTokenRequestDoesNotShowTheRequestToken(t *testing.T) {
	isolate(t)
	k := startKeyless(t)
	s := k.signer(t, chartsSubject, map[string]string{
		"ACTIONS_ID_TOKEN_REQUEST_URL":   k.oidc.URL,
		"ACTIONS_ID_TOKEN_REQUEST_TOKEN": "not-the-request-token-42",
	})

	_, err := s.SignBlob(context.Background(), []byte("x"))

	if err == nil || !strings.Contains(err.Error(), "HTTP 403") {
		t.Fatalf("SignBlob with a refused token request = %v, want HTTP 403", err)
	}
	assertNoSecret(t, err, "not-the-request-token-42", k.token)
}

func TestSignBlob_garbageSigstoreIDTokenIsRefusedWithoutEchoingIt(t *testing.T) {
	isolate(t)
	k := startKeyless(t)
	const garbage = "not-a-jwt-but-a-secret"
	s := k.signer(t, chartsSubject, map[string]string{"SIGSTORE_ID_TOKEN": garbage})

	_, err := s.SignBlob(context.Background(), []byte("x"))

	if err == nil || !strings.Contains(err.Error(), "SIGSTORE_ID_TOKEN") {
		t.Fatalf("SignBlob with a garbage token = %v, want an error naming SIGSTORE_ID_TOKEN", err)
	}
	assertNoSecret(t, err, garbage)
}

func TestSigner_modeNoneRefusesEveryOperation(t *testing.T) {
	s, err := New(context.Background(), Options{Signing: config.Signing{Mode: config.SigningNone}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := s.VerifySignatures(ctx, "r", "sha256:00"); !errors.Is(err, ErrDisabled) {
		t.Errorf("VerifySignatures = %v, want ErrDisabled", err)
	}
	if err := s.SignManifest(ctx, "r", "sha256:00"); !errors.Is(err, ErrDisabled) {
		t.Errorf("SignManifest = %v, want ErrDisabled", err)
	}
	if _, err := s.SignBlob(ctx, nil); !errors.Is(err, ErrDisabled) {
		t.Errorf("SignBlob = %v, want ErrDisabled", err)
	}
	if err := s.VerifyBlob(ctx, nil, nil); !errors.Is(err, ErrDisabled) {
		t.Errorf("VerifyBlob = %v, want ErrDisabled", err)
	}
	if s.PublicKeyPEM() != nil {
		t.Error("PublicKeyPEM of mode none is not nil")
	}
}
