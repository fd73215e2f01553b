package layers

import (
	"go/build"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const module = "github.com/relctl/relctl/"

// forbidden lists, for each layer (a package and those below it), the
// layers its non-test code must not import.
var forbidden = map[string][]string{
	"naming":    {"config", "notes", "state", "planner", "ci", "providers", "cmd"},
	"notes":     {"config", "state", "planner", "ci", "providers", "cmd"},
	"config":    {"state", "planner", "ci", "providers", "cmd"},
	"state":     {"planner", "ci", "providers", "cmd"},
	"planner":   {"ci", "providers", "cmd"},
	"ci":        {"providers", "cmd"},
	"providers": {"planner", "ci", "cmd"},
}

func TestLayering_noPackageImportsALayerAboveIt(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	err = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		if name := d.Name(); path != root && (strings.HasPrefix(name, ".") || name == "testdata") {
			return filepath.SkipDir
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		rules, ok := forbidden[strings.SplitN(rel, "/", 2)[0]]
		if !ok {
			return nil
		}
		pkg, err := build.ImportDir(path, 0)
		if _, none := err.(*build.NoGoError); none {
			return nil
		}
		if err != nil {
			return err
		}
		checked++
		for _, imp := range pkg.Imports {
			inner, ok := strings.CutPrefix(imp, module)
			if !ok {
				continue
			}
			for _, f := range rules {
				if inner == f || strings.HasPrefix(inner, f+"/") {
					t.Errorf("%s imports %s: %s must not depend on %s", rel, imp, strings.SplitN(rel, "/", 2)[0], f)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 10 {
		t.Fatalf("checked %d packages: the walk missed the tree", checked)
	}
}
