package config

import (
	"errors"
	"flag"
	"os"
)

// Load builds the configuration from, in increasing precedence: Default, the YAML file named by
// --config or HOTLINE_CONFIG, environment variables (read through getenv; an empty value counts
// as unset), and the flags in f that were set on the command line. f may be nil (no flags), and
// getenv may be nil (os.Getenv). The result is validated; every problem found is reported, each
// as an *Error naming its source.
func Load(f *Flags, getenv func(string) string) (Config, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	if f != nil && !f.fs.Parsed() {
		return Config{}, errors.New("config: Load called before the flag set was parsed")
	}
	cfg := Default()
	origins := make(map[string]string) // setting key → where its current value came from
	var errs []*Error

	path := getenv(ConfigFileEnv)
	if f != nil && isSet(f.fs, "config") {
		path = *f.configFile
	}
	if path != "" {
		errs = append(errs, applyFile(&cfg, path, origins)...)
	}

	for _, s := range settings() {
		if s.env == "" {
			continue
		}
		if text := getenv(s.env); text != "" {
			errs = append(errs, apply(&cfg, s, text, "env "+s.env, origins)...)
		}
	}

	if f != nil {
		f.fs.Visit(func(fl *flag.Flag) {
			if s, ok := f.byName[fl.Name]; ok {
				errs = append(errs, apply(&cfg, s, fl.Value.String(), "flag --"+fl.Name, origins)...)
			}
		})
	}

	// Reporting a range error on a value that did not even parse would only add noise.
	if len(errs) > 0 {
		return Config{}, joinErrors(errs)
	}
	if problems := cfg.problems(); len(problems) > 0 {
		for _, p := range problems {
			p.Source = origins[p.Field]
		}
		return Config{}, joinErrors(problems)
	}
	return cfg, nil
}

func apply(c *Config, s setting, text, source string, origins map[string]string) []*Error {
	v, problem := s.parseScalar(text)
	if problem != "" {
		return []*Error{{Source: source, Field: s.key, Problem: problem}}
	}
	s.field(c).Set(v)
	origins[s.key] = source
	return nil
}

func isSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(fl *flag.Flag) { set = set || fl.Name == name })
	return set
}
