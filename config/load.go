package config

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/zclconf/go-cty/cty"
)

// FileName is the one file Load reads from LoadOptions.Dir. Unlike
// Terraform, relctl does not merge every *.hcl in the directory: variable
// files and other HCL may sit beside the spec without becoming part of it.
const FileName = "relctl.hcl"

// EnvVarPrefix prefixes environment variables that set spec variables:
// RELCTL_VAR_owner=acme sets var.owner, as TF_VAR_owner does in Terraform.
const EnvVarPrefix = "RELCTL_VAR_"

// LoadOptions says where the spec is and where variable values come from.
type LoadOptions struct {
	// Dir holds relctl.hcl; "" means the current directory. Paths in the
	// spec (charts, files, keys, file()) are relative to it.
	Dir string
	// Vars are --var name=value flags in command-line order; a later one
	// wins over an earlier one for the same name.
	Vars []string
	// VarFiles are --var-file paths (HCL, `name = value` lines), relative
	// to the process's working directory or absolute. Later files win.
	VarFiles []string
	// Getenv reads the environment for env() and, when Environ is nil and
	// Getenv is not, for RELCTL_VAR_<name> (an empty value then counts as
	// unset). nil means os.Getenv.
	Getenv func(string) string
	// Environ lists the environment to find RELCTL_VAR_* variables; those
	// naming no declared variable are ignored, like Terraform's TF_VAR_*.
	// nil means os.Environ, unless Getenv is set (see Getenv).
	Environ func() []string
}

// Parser loads specs and keeps the source of every file it read, so that
// diagnostics can be shown with snippets of the offending lines. A Parser
// holds the sources of its latest Load only; it is not safe for concurrent
// use.
type Parser struct {
	// Width wraps the detail text of diagnostics written by
	// WriteDiagnostics at this many columns; 0 disables wrapping.
	Width uint

	hp *hclparse.Parser
	// extra holds sources read on demand for diagnostics about files the
	// latest Load did not parse (for instance from FormatDir).
	extra map[string]*hcl.File
	// redact hides the sensitive values of the latest Load in whatever the
	// Parser writes.
	redact redactor
}

// NewParser returns a Parser with no sources.
func NewParser() *Parser {
	return &Parser{hp: hclparse.NewParser(), extra: map[string]*hcl.File{}}
}

// Load reads relctl.hcl from opts.Dir, evaluates it and validates the
// result, including every chart's Chart.yaml. The Spec is nil when the
// diagnostics hold an error; warnings may come with a Spec. Filenames in the
// diagnostics are relative to opts.Dir ("relctl.hcl"), except variable files,
// which keep the path they were given by.
func (p *Parser) Load(opts LoadOptions) (*Spec, hcl.Diagnostics) {
	// A fresh hclparse.Parser: it caches files by name, and a second Load
	// of another directory must not see the first one's relctl.hcl.
	p.hp = hclparse.NewParser()
	p.extra = map[string]*hcl.File{}
	p.redact = nil

	dir := opts.Dir
	if dir == "" {
		dir = "."
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, hcl.Diagnostics{errorDiag("Invalid spec directory",
			fmt.Sprintf("Cannot resolve the directory %q: %s.", dir, err), nil)}
	}
	src, err := os.ReadFile(filepath.Join(abs, FileName))
	if err != nil {
		detail := fmt.Sprintf("Cannot read %s in %s: %s.", FileName, dir, osReason(err))
		if errors.Is(err, fs.ErrNotExist) {
			detail = fmt.Sprintf("There is no %s in %s. Run relctl in the directory that holds the spec, or name that directory with --chdir.", FileName, dir)
		}
		return nil, hcl.Diagnostics{errorDiag("Missing "+FileName, detail, nil)}
	}
	file, diags := p.hp.ParseHCL(src, FileName)
	if diags.HasErrors() {
		// Evaluating a body with syntax errors reports the same mistakes
		// again in other words; the syntax errors alone are clearer.
		return nil, diags
	}

	l := newLoader(abs, opts, p.hp)
	spec := l.load(file.Body)
	spec.Digest = fileDigest(src)
	p.redact = l.secrets.redactor()
	diags = append(diags, l.diags...)
	if diags.HasErrors() {
		return nil, diags
	}
	return spec, diags
}

// loader holds what one Load needs while it evaluates the spec. Problems
// accumulate in diags so that a user sees all of them at once.
type loader struct {
	dir     string
	opts    LoadOptions
	getenv  func(string) string
	environ func() []string // nil: look RELCTL_VAR_<name> up with getenv
	hp      *hclparse.Parser
	ctx     *hcl.EvalContext
	diags   hcl.Diagnostics
	// secrets are the texts of the sensitive values met so far.
	secrets secrets
}

func newLoader(dir string, opts LoadOptions, hp *hclparse.Parser) *loader {
	l := &loader{dir: dir, opts: opts, getenv: opts.Getenv, environ: opts.Environ, hp: hp, secrets: secrets{}}
	if l.getenv == nil {
		l.getenv = os.Getenv
		if l.environ == nil {
			l.environ = os.Environ
		}
	}
	return l
}

func (l *loader) load(body hcl.Body) *Spec {
	content, diags := body.Content(rootSchema)
	l.diags = append(l.diags, diags...)
	blocks := map[string][]*hcl.Block{}
	for _, b := range content.Blocks {
		blocks[b.Type] = append(blocks[b.Type], b)
	}
	single := map[string]*hcl.Block{}
	for _, t := range singletonBlocks {
		b, diags := onlyOne(blocks[t])
		l.diags = append(l.diags, diags...)
		single[t] = b
	}

	funcs := l.functions()
	vars := l.variables(blocks["variable"], funcs)
	l.ctx = evalContext(vars, cty.NilVal, funcs)
	locals := l.locals(blocks["locals"])
	l.ctx = evalContext(vars, locals, funcs)

	spec := &Spec{Dir: l.dir, Files: []string{FileName}}
	if single["registry"] == nil {
		// No subject: pointing at whatever happens to be on line 1 would
		// suggest that block is at fault.
		l.errorf(nil, "Missing registry block",
			"%s needs one registry block saying where charts are pushed, for example:\n\n  registry {\n    repository = \"ghcr.io/acme/charts\"\n  }", FileName)
	} else {
		spec.Registry = l.registry(single["registry"])
	}
	spec.GitHub = l.github(single["github"])
	spec.Signing = l.signing(single["signing"])
	spec.Retry = l.retry(single["retry"])
	spec.HelmRepository = l.helmRepository(single["helm_repository"])
	if spec.HelmRepository != nil && single["github"] == nil {
		l.errorf(spec.HelmRepository.DeclRange.Ptr(), "helm_repository needs a github block",
			"The index's entries point at the charts' GitHub release assets, and the index is written to a branch of that repository: add a github block.")
	}
	spec.ArtifactHub = l.artifactHub(single["artifacthub"])
	release, templates := l.release(single["release"])
	spec.Release = release
	var found []foundChart
	spec.Discovery, found = l.charts(blocks["chart"], single["charts"])
	spec.Charts = l.nameReleases(found, templates)
	sort.Slice(spec.Charts, func(i, j int) bool { return spec.Charts[i].Name < spec.Charts[j].Name })
	return spec
}

func (l *loader) errorf(subject *hcl.Range, summary, format string, args ...any) {
	l.diags = append(l.diags, errorDiag(summary, fmt.Sprintf(format, args...), subject))
}

func (l *loader) attrReader(attrs hcl.Attributes, block hcl.Range) *attrReader {
	return newAttrReader(attrs, l.ctx, block, &l.diags)
}

// fileDigest is "sha256:<hex>" of a spec file's bytes: what `sha256sum
// relctl.hcl` prints, so a provenance naming it can be checked by hand.
func fileDigest(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

func errorDiag(summary, detail string, subject *hcl.Range) *hcl.Diagnostic {
	return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: subject}
}

// osReason is an OS error without the path it carries: the caller names the
// file the way the user wrote it, not as an absolute path.
func osReason(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
