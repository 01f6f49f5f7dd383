package config

import "flag"

// ConfigFileEnv names the environment variable holding the config file path; --config wins over it.
const ConfigFileEnv = "HOTLINE_CONFIG"

// Flags are the flags every hotline subcommand shares. Create them with Register before parsing
// the FlagSet, then pass them to Load after parsing it.
type Flags struct {
	fs         *flag.FlagSet
	configFile *string
	byName     map[string]setting // flag name → setting it overrides
}

// Register adds the common flags (--config and one per setting with a flag tag: --kafka-brokers,
// --clickhouse-addr, --topic-prefix, --tenant, --http-addr, --data-dir) to fs.
func Register(fs *flag.FlagSet) *Flags {
	f := &Flags{fs: fs, byName: make(map[string]setting)}
	f.configFile = fs.String("config", "", "YAML config file (env "+ConfigFileEnv+")")
	def := Default()
	for _, s := range settings() {
		if s.flag == "" {
			continue
		}
		f.byName[s.flag] = s
		// The flag's own default is only shown in --help: Load applies a flag only when it was
		// set on the command line, so that an unset flag never hides the file or the environment.
		shown := s.format(s.field(&def))
		if s.secret {
			shown = ""
		}
		fs.String(s.flag, shown, s.help+" (env "+s.env+")")
	}
	return f
}
