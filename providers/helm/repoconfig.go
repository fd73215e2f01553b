package helm

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"os"

	"sigs.k8s.io/yaml"
)

// namedRepo is a repository of helm's repositories.yaml.
type namedRepo struct {
	Name, URL          string
	Username, Password string
	// PassCredentialsAll sends the credentials to other hosts too (an
	// index whose archives live elsewhere), as helm's flag does.
	PassCredentialsAll bool
}

// isNamedRepo reports whether a repository names an entry of
// repositories.yaml ("@name" or "alias:name"), as helm's resolveRepoNames
// reads it.
func isNamedRepo(r string) bool {
	return strings.HasPrefix(r, "@") || strings.HasPrefix(r, "alias:")
}

// namedRepository looks up "@name" or "alias:name" in repositories.yaml.
// Without the file, or without the name in it, the error says both.
func (p *Packager) namedRepository(ref string) (*namedRepo, error) {
	name := strings.TrimPrefix(strings.TrimPrefix(ref, "@"), "alias:")
	path := p.opts.RepositoryConfig
	if path == "" {
		return nil, fmt.Errorf("repository %q names a helm repository, but no repositories.yaml is configured (HELM_REPOSITORY_CONFIG); write its URL in Chart.yaml instead", ref)
	}
	f, err := p.repoConfig(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("repository %q names a helm repository, but %s does not exist; write the repository's URL in Chart.yaml, or `helm repo add %s <url>`", ref, path, name)
	case err != nil:
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	e := f.get(name)
	if e == nil {
		return nil, fmt.Errorf("repository %q: %s has no repository named %q; write its URL in Chart.yaml, or `helm repo add %s <url>`", ref, path, name, name)
	}
	return &namedRepo{Name: e.Name, URL: e.URL, Username: e.Username, Password: e.Password, PassCredentialsAll: e.PassCredentialsAll}, nil
}

// repoConfig loads repositories.yaml once per process and path.
func (p *Packager) repoConfig(path string) (*repoFile, error) {
	p.repoMu.Lock()
	defer p.repoMu.Unlock()
	if p.repoFile != nil || p.repoErr != nil {
		return p.repoFile, p.repoErr
	}
	data, err := os.ReadFile(filepath.Clean(path))
	if err != nil {
		p.repoErr = err
		return nil, err
	}
	f := &repoFile{}
	if err := yaml.Unmarshal(data, f); err != nil {
		p.repoErr = err
		return nil, err
	}
	p.repoFile = f
	return f, nil
}

// repoFile is helm's repositories.yaml (pkg/repo File and Entry; the TLS
// fields are not supported).
type repoFile struct {
	Repositories []*repoEntry `json:"repositories"`
}

type repoEntry struct {
	Name               string `json:"name"`
	URL                string `json:"url"`
	Username           string `json:"username"`
	Password           string `json:"password"`
	PassCredentialsAll bool   `json:"pass_credentials_all"`
}

func (f *repoFile) get(name string) *repoEntry {
	for _, e := range f.Repositories {
		if e != nil && e.Name == name {
			return e
		}
	}
	return nil
}
