package githubtest

import "strings"

// CommitMessage returns the message of a commit made through the Git Data
// API, and false for a sha the emulator holds no commit for.
func (s *Server) CommitMessage(owner, repo, sha string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rp := s.repos[repoKey(owner, repo)]
	if rp == nil {
		return "", false
	}
	c := rp.git.commits[strings.ToLower(sha)]
	if c == nil {
		return "", false
	}
	return c.message, true
}

// File returns the content of path in the tree of the commit ref names
// ("refs/heads/gh-pages"), as a test reads what a writer committed. It
// returns false when the ref, its commit or the path is missing.
func (s *Server) File(owner, repo, ref, path string) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rp := s.repos[repoKey(owner, repo)]
	if rp == nil {
		return nil, false
	}
	c := rp.git.commits[rp.refs[ref]]
	if c == nil {
		return nil, false
	}
	sha, parts := c.tree, strings.Split(path, "/")
	for i, name := range parts {
		entries, _ := rp.git.tree(sha)
		found := false
		for _, e := range entries {
			if e.name == name && (e.typ == "tree") == (i < len(parts)-1) {
				sha, found = e.sha, true
				break
			}
		}
		if !found {
			return nil, false
		}
	}
	data, ok := rp.git.blobs[sha]
	return append([]byte(nil), data...), ok
}
