package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// functions is the spec's function table: go-cty's stdlib under the names
// Terraform gives them, so that a Terraform user's habits carry over, plus
// file() and env(). Nothing here reads the clock or the network: the same
// spec and environment always evaluate to the same Spec.
func (l *loader) functions() map[string]function.Function {
	return map[string]function.Function{
		"abs":             stdlib.AbsoluteFunc,
		"ceil":            stdlib.CeilFunc,
		"chomp":           stdlib.ChompFunc,
		"chunklist":       stdlib.ChunklistFunc,
		"coalesce":        coalesceFunc,
		"coalescelist":    stdlib.CoalesceListFunc,
		"compact":         stdlib.CompactFunc,
		"concat":          stdlib.ConcatFunc,
		"contains":        stdlib.ContainsFunc,
		"csvdecode":       stdlib.CSVDecodeFunc,
		"distinct":        stdlib.DistinctFunc,
		"element":         stdlib.ElementFunc,
		"env":             l.envFunc(),
		"file":            l.fileFunc(),
		"flatten":         stdlib.FlattenFunc,
		"floor":           stdlib.FloorFunc,
		"format":          stdlib.FormatFunc,
		"formatdate":      stdlib.FormatDateFunc,
		"formatlist":      stdlib.FormatListFunc,
		"indent":          stdlib.IndentFunc,
		"join":            stdlib.JoinFunc,
		"jsondecode":      stdlib.JSONDecodeFunc,
		"jsonencode":      stdlib.JSONEncodeFunc,
		"keys":            stdlib.KeysFunc,
		"length":          lengthFunc,
		"log":             stdlib.LogFunc,
		"lookup":          stdlib.LookupFunc,
		"lower":           stdlib.LowerFunc,
		"max":             stdlib.MaxFunc,
		"merge":           stdlib.MergeFunc,
		"min":             stdlib.MinFunc,
		"nonsensitive":    nonsensitiveFunc,
		"parseint":        stdlib.ParseIntFunc,
		"pow":             stdlib.PowFunc,
		"range":           stdlib.RangeFunc,
		"regex":           stdlib.RegexFunc,
		"regexall":        stdlib.RegexAllFunc,
		"regex_replace":   stdlib.RegexReplaceFunc,
		"replace":         stdlib.ReplaceFunc,
		"reverse":         stdlib.ReverseListFunc,
		"setintersection": stdlib.SetIntersectionFunc,
		"setsubtract":     stdlib.SetSubtractFunc,
		"setunion":        stdlib.SetUnionFunc,
		"signum":          stdlib.SignumFunc,
		"slice":           stdlib.SliceFunc,
		"sort":            stdlib.SortFunc,
		"split":           stdlib.SplitFunc,
		"strrev":          stdlib.ReverseFunc,
		"substr":          stdlib.SubstrFunc,
		"title":           stdlib.TitleFunc,
		"tobool":          stdlib.MakeToFunc(cty.Bool),
		"tolist":          stdlib.MakeToFunc(cty.List(cty.DynamicPseudoType)),
		"tomap":           stdlib.MakeToFunc(cty.Map(cty.DynamicPseudoType)),
		"tonumber":        stdlib.MakeToFunc(cty.Number),
		"toset":           stdlib.MakeToFunc(cty.Set(cty.DynamicPseudoType)),
		"tostring":        stdlib.MakeToFunc(cty.String),
		"trim":            stdlib.TrimFunc,
		"trimprefix":      stdlib.TrimPrefixFunc,
		"trimspace":       stdlib.TrimSpaceFunc,
		"trimsuffix":      stdlib.TrimSuffixFunc,
		"upper":           stdlib.UpperFunc,
		"values":          stdlib.ValuesFunc,
		"zipmap":          stdlib.ZipmapFunc,
	}
}

// fileFunc reads a UTF-8 file. A relative path is taken from the spec
// directory, not the process's working directory, so that --chdir and
// running from elsewhere give the same result. Like Terraform, paths outside
// the directory are allowed: a notes template shared by several specs is
// legitimate.
func (l *loader) fileFunc() function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "path", Type: cty.String}},
		Type:   function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, retType cty.Type) (cty.Value, error) {
			p := args[0].AsString()
			full := p
			if !filepath.IsAbs(full) {
				full = filepath.Join(l.dir, filepath.FromSlash(p))
			}
			src, err := os.ReadFile(full)
			switch {
			case errors.Is(err, fs.ErrNotExist):
				return cty.UnknownVal(cty.String), fmt.Errorf("no file exists at %q; a relative path is taken from the directory of %s", p, FileName)
			case err != nil:
				return cty.UnknownVal(cty.String), fmt.Errorf("cannot read %q: %s", p, osReason(err))
			case !utf8.Valid(src):
				return cty.UnknownVal(cty.String), fmt.Errorf("the file %q is not valid UTF-8 text", p)
			}
			return cty.StringVal(string(src)), nil
		},
	})
}

// envFunc reads an environment variable; unset reads as "". The value is
// sensitive, since environments hold tokens: it may be used, and shown only
// through nonsensitive().
func (l *loader) envFunc() function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "name", Type: cty.String}},
		Type:   function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, retType cty.Type) (cty.Value, error) {
			v := cty.StringVal(l.getenv(args[0].AsString()))
			l.secrets.remember(v)
			return v.Mark(sensitive), nil
		},
	})
}

// evalContext exposes var.*, local.* and the functions. A nil locals value
// means locals are not evaluated yet (while they are being resolved each
// gets its own context).
func evalContext(vars, locals cty.Value, funcs map[string]function.Function) *hcl.EvalContext {
	v := map[string]cty.Value{"var": vars}
	if locals != cty.NilVal {
		v["local"] = locals
	}
	return &hcl.EvalContext{Variables: v, Functions: funcs}
}
