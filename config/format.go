package config

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
)

// Format returns src in canonical HCL layout (hclwrite.Format: aligned
// equals signs, two-space indents). It refuses source with syntax errors:
// hclwrite works on tokens and would "format" a broken file into another
// broken file. filename is only used in diagnostics.
func Format(src []byte, filename string) ([]byte, hcl.Diagnostics) {
	if _, diags := hclsyntax.ParseConfig(src, filename, hcl.InitialPos); diags.HasErrors() {
		return nil, diags
	}
	return hclwrite.Format(src), nil
}

// FormatDir formats every *.hcl file directly in dir (not in subfolders,
// like `terraform fmt` without -recursive). It returns the files whose
// layout differs, as dir joined with the file name, in name order; with
// write they are rewritten in place, otherwise (fmt --check) left alone. A
// file with syntax errors is reported and never written; the others are
// still formatted.
func FormatDir(dir string, write bool) (changed []string, diags hcl.Diagnostics) {
	matches, err := filepath.Glob(filepath.Join(dir, "*.hcl"))
	if err != nil {
		// Only a malformed pattern fails Glob; dir is part of it.
		return nil, hcl.Diagnostics{errorDiag("Cannot list files", fmt.Sprintf("Cannot list *.hcl in %q: %s.", dir, err), nil)}
	}
	for _, name := range matches {
		info, err := os.Stat(name)
		if err != nil || !info.Mode().IsRegular() {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			diags = append(diags, errorDiag("Cannot read file", fmt.Sprintf("Cannot read %s: %s.", name, osReason(err)), nil))
			continue
		}
		out, fdiags := Format(src, name)
		diags = append(diags, fdiags...)
		if fdiags.HasErrors() || bytes.Equal(src, out) {
			continue
		}
		changed = append(changed, name)
		if !write {
			continue
		}
		if err := os.WriteFile(name, out, info.Mode().Perm()); err != nil {
			diags = append(diags, errorDiag("Cannot write file", fmt.Sprintf("Cannot write %s: %s.", name, osReason(err)), nil))
		}
	}
	return changed, diags
}
