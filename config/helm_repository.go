package config

import (
	"net/url"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// HelmRepository is the helm_repository block: the classic chart repository
// (an index.yaml on a pages branch) that consumers `helm repo add`. relctl
// keeps one entry per declared chart version in that index.
type HelmRepository struct {
	// URL is what users `helm repo add`, e.g. "https://acme.github.io/charts".
	// It is shown to users; entries point at the release assets.
	URL string
	// Branch holds the index; defaults to "gh-pages".
	Branch string
	// Path is the index file in Branch; defaults to "index.yaml".
	Path      string
	DeclRange hcl.Range
}

var helmRepositorySchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "url", Required: true},
		{Name: "branch"},
		{Name: "path"},
	},
}

// helmRepository decodes the optional helm_repository block; nil when absent.
func (l *loader) helmRepository(b *hcl.Block) *HelmRepository {
	if b == nil {
		return nil
	}
	content, _, diags := blockContent(b, helmRepositorySchema)
	l.diags = append(l.diags, diags...)
	r := l.attrReader(content.Attributes, b.DefRange)
	hr := &HelmRepository{
		URL:       r.str("url", ""),
		Branch:    r.str("branch", "gh-pages"),
		Path:      r.str("path", "index.yaml"),
		DeclRange: b.DefRange,
	}
	if r.ok("url") {
		u, err := url.Parse(hr.URL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			l.errorf(r.rangeOf("url"), "Invalid helm_repository url",
				"%q is not a chart repository URL: write the http(s) address users give to `helm repo add`, for example \"https://acme.github.io/charts\".", hr.URL)
		}
	}
	if r.ok("branch") && !validBranch(hr.Branch) {
		l.errorf(r.rangeOf("branch"), "Invalid helm_repository branch",
			"%q is not a valid git branch name: for example \"gh-pages\".", hr.Branch)
	}
	if r.ok("path") && !validRepoPath(hr.Path) {
		l.errorf(r.rangeOf("path"), "Invalid helm_repository path",
			"%q is not a file path inside the branch: use a relative, slash-separated path such as \"index.yaml\" or \"charts/index.yaml\", without \".\" or \"..\" elements.", hr.Path)
	}
	return hr
}

// validBranch applies git's check-ref-format rules to a branch name.
func validBranch(name string) bool {
	if name == "" || name == "@" || strings.HasPrefix(name, "-") || strings.HasSuffix(name, ".") ||
		strings.Contains(name, "..") || strings.Contains(name, "@{") || strings.Contains(name, "//") {
		return false
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f || strings.ContainsRune(" ~^:?*[\\", r) {
			return false
		}
	}
	for _, part := range strings.Split(name, "/") {
		if part == "" || strings.HasPrefix(part, ".") || strings.HasSuffix(part, ".lock") {
			return false
		}
	}
	return true
}

// validRepoPath accepts a relative slash-separated file path: git trees
// have no "." or ".." entries, and ".git" is refused by GitHub.
func validRepoPath(p string) bool {
	if p == "" || strings.HasPrefix(p, "/") || strings.HasSuffix(p, "/") || strings.ContainsAny(p, "\\\x00") {
		return false
	}
	for _, part := range strings.Split(p, "/") {
		if part == "" || part == "." || part == ".." || strings.EqualFold(part, ".git") {
			return false
		}
	}
	return true
}
