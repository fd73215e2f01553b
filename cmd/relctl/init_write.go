package main

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/examples"
)

// initFile is one file init writes, relative to the repository's root.
type initFile struct {
	Path    string
	Content []byte
}

// files renders relctl.hcl and the three workflows.
func (d *initDraft) files() ([]initFile, error) {
	hcl, err := d.spec()
	if err != nil {
		return nil, err
	}
	out := []initFile{{Path: path.Join(d.Sub, "relctl.hcl"), Content: hcl}}
	names, err := fs.Glob(examples.Workflows, "workflows/*.yaml")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	for _, n := range names {
		b, err := fs.ReadFile(examples.Workflows, n)
		if err != nil {
			return nil, err
		}
		out = append(out, initFile{Path: ".github/workflows/" + filepath.Base(n), Content: d.tailor(b)})
	}
	return out, nil
}

// tailor fits an example workflow to the repository: its charts folder in
// the path filters, its default branch as the release branch.
func (d *initDraft) tailor(b []byte) []byte {
	s := string(b)
	paths := []string{`"` + path.Join(d.Sub, d.Dir, "**") + `"`}
	for _, c := range d.Explicit {
		paths = append(paths, `"`+path.Join(d.Sub, c.Path, "**")+`"`)
	}
	s = strings.ReplaceAll(s, `"charts/**"`, strings.Join(paths, ", "))
	s = strings.ReplaceAll(s, `"relctl.hcl"`, `"`+path.Join(d.Sub, "relctl.hcl")+`"`)
	s = strings.ReplaceAll(s, "branches: [main]", "branches: ["+d.Repo.Branch+"]")
	if d.Sub != "" {
		// The action runs where relctl.hcl is.
		s = strings.ReplaceAll(s, "\n          command: ", "\n          working-directory: "+d.Sub+"\n          command: ")
	}
	return []byte(s)
}

// spec renders relctl.hcl, formatted as relctl fmt would.
func (d *initDraft) spec() ([]byte, error) {
	r := d.Repo.Remote
	var b strings.Builder
	fmt.Fprintf(&b, "# Written by relctl init for %s/%s. Check it with: relctl validate && relctl plan\n\n", r.Owner, r.Name)
	fmt.Fprintf(&b, "registry {\n  repository = %q\n}\n\n", d.Registry)
	fmt.Fprintf(&b, "github {\n  repository = %q\n", r.Owner+"/"+r.Name)
	if d.MakeLatest != nil {
		fmt.Fprintf(&b, "  make_latest = %t # as chart-releaser did\n", *d.MakeLatest)
	}
	if d.UpdateNotes != nil {
		fmt.Fprintf(&b, "  update_notes = %t # keep the notes of releases chart-releaser published\n", *d.UpdateNotes)
	}
	b.WriteString("}\n\n")
	// Keyless: the apply workflow's identity signs; plans and verify
	// accept that workflow only.
	web, issuer := "https://github.com/", "https://token.actions.githubusercontent.com"
	if r.Host != "github.com" {
		web, issuer = "https://"+r.Host+"/", "https://"+r.Host+"/_services/token"
	}
	subject := "^" + regexp.QuoteMeta(web+r.Owner+"/"+r.Name+"/.github/workflows/relctl-apply.yaml") + "@"
	fmt.Fprintf(&b, "signing {\n  mode = \"keyless\"\n  identity {\n    issuer = %q\n    subject_regexp = %q\n  }\n}\n\n", issuer, subject)
	if d.PagesIndex != "" {
		fmt.Fprintf(&b, "helm_repository {\n  url = %q\n", d.PagesURL)
		if d.PagesIndex != "gh-pages" {
			fmt.Fprintf(&b, "  branch = %q\n", d.PagesIndex)
		}
		b.WriteString("}\n\n")
	}
	fmt.Fprintf(&b, "charts {\n  dir = %q\n}\n", d.Dir)
	for _, c := range d.Explicit {
		fmt.Fprintf(&b, "\nchart %q {\n  path = %q\n}\n", c.Name, c.Path)
	}
	if d.Tag != "" {
		fmt.Fprintf(&b, "\nrelease {\n  tag = %q\n  title = %q\n}\n", d.Tag, d.Title)
	}
	out, diags := config.Format([]byte(b.String()), "relctl.hcl")
	if diags.HasErrors() {
		return nil, fmt.Errorf("format relctl.hcl: %s", diags.Error())
	}
	return out, nil
}

// writeFiles writes every file, or none: an existing file is overwritten
// only with force.
func writeFiles(dir string, files []initFile, force bool) error {
	var exist []string
	for _, f := range files {
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(f.Path))); err == nil {
			exist = append(exist, f.Path)
		}
	}
	if len(exist) > 0 && !force {
		return fmt.Errorf("%s already exist(s): nothing was written; run relctl init --force to overwrite", strings.Join(exist, ", "))
	}
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, f.Content, 0o644); err != nil {
			return err
		}
	}
	return nil
}
