package main

import (
	"errors"
	"fmt"
	"io"
)

// Env is the process environment a command runs in. Tests build their own.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	Environ        func() []string
	// IsTerminal is true when a person sits at stdin and stdout: colour
	// and confirmation prompts are only for them.
	IsTerminal bool
}

// Exit codes, as Terraform's.
const (
	exitOK      = 0
	exitError   = 1
	exitChanges = 2
	exitFormat  = 3
)

// exitCode carries a command's exit code through cobra.
type exitCode struct {
	code int
	err  error // already printed when nil
}

func (e *exitCode) Error() string {
	if e.err != nil {
		return e.err.Error()
	}
	return fmt.Sprintf("exit %d", e.code)
}

func (e *exitCode) Unwrap() error { return e.err }

// exitWith ends a command with a code; err, when not nil, is printed.
func exitWith(code int, err error) error { return &exitCode{code: code, err: err} }

func codeOf(err error) (int, error) {
	var ec *exitCode
	if errors.As(err, &ec) {
		return ec.code, ec.err
	}
	return exitError, err
}
