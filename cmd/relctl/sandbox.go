package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"strings"

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
}

type sandboxOptions struct {
	registryAddr, githubAddr string
	repository               string // owner/name; "" means acme/charts
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
	reg, err := ocitest.Start(ctx, ocitest.Options{Addr: opts.registryAddr})
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
	return s, nil
}

func (s *sandbox) close() {
	s.githubSrv.Close()
	s.registry.Close()
}

// vars are the sandbox's coordinates, as the contract's KEY=VALUE lines.
func (s *sandbox) vars() [][2]string {
	return [][2]string{
		{"RELCTL_SANDBOX_REGISTRY", s.registry.Host},
		{"GITHUB_API_URL", s.githubURL},
		{"GITHUB_TOKEN", s.token},
		{"GITHUB_REPOSITORY", s.repo},
		{"GITHUB_PAGES_URL", s.pagesURL()},
	}
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
