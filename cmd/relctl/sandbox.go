package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"

	"github.com/relctl/relctl/providers/cosign/sigstoretest"
	"github.com/relctl/relctl/providers/github/githubtest"
	"github.com/relctl/relctl/providers/oci/ocitest"
)

// sandbox is an OCI registry and a GitHub emulator on loopback.
type sandbox struct {
	registry  *ocitest.Server
	github    *githubtest.Server
	githubURL string
	githubSrv *http.Server
	token     string
	repo      string
	// With --token: the registry's credentials (its token endpoint's).
	regUser, regPass string
	// With --sigstore: a private Sigstore, its trusted root in a
	// temporary folder, and a GitHub Actions token source.
	sigstore    *sigstoretest.Sigstore
	sigstoreDir string
	actions     *sigstoretest.Actions
}

type sandboxOptions struct {
	registryAddr, githubAddr string
	repository               string // owner/name; "" means acme/charts
	sigstore                 bool
	referrers                bool // the registry serves the OCI 1.1 referrers API
	token                    bool // the registry wants bearer tokens, as GHCR does
}

func startSandbox(ctx context.Context, opts sandboxOptions) (*sandbox, error) {
	tok := make([]byte, 16)
	if _, err := rand.Read(tok); err != nil {
		return nil, err
	}
	s := &sandbox{token: "sandbox_" + hex.EncodeToString(tok), repo: opts.repository}
	if s.repo == "" {
		s.repo = "acme/charts"
	}
	regOpts := ocitest.Options{Addr: opts.registryAddr, Referrers: opts.referrers}
	if opts.token {
		pass := make([]byte, 16)
		if _, err := rand.Read(pass); err != nil {
			return nil, err
		}
		s.regUser, s.regPass = "sandbox", "sandbox_"+hex.EncodeToString(pass)
		regOpts.Token, regOpts.Username, regOpts.Password = true, s.regUser, s.regPass
	}
	reg, err := ocitest.Start(ctx, regOpts)
	if err != nil {
		return nil, err
	}
	s.registry = reg
	addr := opts.githubAddr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		reg.Close()
		return nil, fmt.Errorf("github emulator: listen on %s: %w", addr, err)
	}
	s.github = githubtest.New(githubtest.Options{Token: s.token})
	owner, name, _ := strings.Cut(s.repo, "/")
	s.github.AddRepo(owner, name)
	s.githubURL = "http://" + ln.Addr().String() + "/"
	s.githubSrv = &http.Server{Handler: s.github}
	go s.githubSrv.Serve(ln) //nolint:errcheck // returns on close
	if opts.sigstore {
		if err := s.startSigstore(); err != nil {
			s.close()
			return nil, err
		}
	}
	return s, nil
}

// startSigstore serves a Fulcio, a Rekor and an Actions token endpoint
// whose tokens name the repository's release workflow, for keyless
// signing without the public Sigstore.
func (s *sandbox) startSigstore() error {
	dir, err := os.MkdirTemp("", "relctl-sandbox-sigstore-")
	if err != nil {
		return err
	}
	s.sigstoreDir = dir
	sg, err := sigstoretest.Start(dir)
	if err != nil {
		return fmt.Errorf("sigstore: %w", err)
	}
	s.sigstore = sg
	s.actions = sg.Actions(sigstoretest.Identity{
		Issuer:      sigstoretest.GitHubIssuer,
		WorkflowRef: s.repo + "/.github/workflows/release.yaml@refs/heads/main",
	})
	return nil
}

func (s *sandbox) close() {
	s.githubSrv.Close()
	s.registry.Close()
	if s.sigstore != nil {
		s.sigstore.Close()
	}
	if s.sigstoreDir != "" {
		os.RemoveAll(s.sigstoreDir)
	}
}

// vars are the sandbox's coordinates, as the contract's KEY=VALUE lines.
func (s *sandbox) vars() [][2]string {
	vars := [][2]string{
		{"RELCTL_SANDBOX_REGISTRY", s.registry.Host},
		{"GITHUB_API_URL", s.githubURL},
		{"GITHUB_TOKEN", s.token},
		{"GITHUB_REPOSITORY", s.repo},
		{"GITHUB_PAGES_URL", s.pagesURL()},
	}
	if s.regUser != "" {
		vars = append(vars,
			[2]string{"RELCTL_REGISTRY_USERNAME", s.regUser},
			[2]string{"RELCTL_REGISTRY_PASSWORD", s.regPass},
		)
	}
	if s.sigstore != nil {
		vars = append(vars,
			[2]string{"FULCIO_URL", s.sigstore.FulcioURL},
			[2]string{"REKOR_URL", s.sigstore.RekorURL},
			[2]string{"TRUSTED_ROOT", s.sigstore.TrustedRoot},
			[2]string{"ACTIONS_ID_TOKEN_REQUEST_URL", s.actions.Env["ACTIONS_ID_TOKEN_REQUEST_URL"]},
			[2]string{"ACTIONS_ID_TOKEN_REQUEST_TOKEN", s.actions.Env["ACTIONS_ID_TOKEN_REQUEST_TOKEN"]},
		)
	}
	return vars
}

func (s *sandbox) String() string {
	return fmt.Sprintf("registry %s, GitHub %s (%s)", s.registry.Host, s.githubURL, s.repo)
}

// pagesURL is where the emulator serves the repository's gh-pages branch,
// as https://<owner>.github.io/<repo>/ serves it: a helm_repository's url.
func (s *sandbox) pagesURL() string {
	owner, name, _ := strings.Cut(s.repo, "/")
	return githubtest.PagesURLAt(s.githubURL, owner, name)
}
