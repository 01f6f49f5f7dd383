package qa

import (
	"errors"
	"fmt"
	"path/filepath"
	"time"
)

// Config is the QA part's configuration.
type Config struct {
	// RecordingsDir is the recording store's root.
	RecordingsDir string `yaml:"recordings_dir"`
	// ScorecardsDir holds extra scorecard versions as YAML files (optional; the default
	// insurance hotline scorecard is built in).
	ScorecardsDir string `yaml:"scorecards_dir"`
	// DisputeWindow is how long after an evaluation its agent may dispute it.
	DisputeWindow time.Duration `yaml:"dispute_window"`
	// RetentionEvery is how often expired recordings are deleted.
	RetentionEvery time.Duration `yaml:"retention_every"`
	// Evaluators receive the weekly sample (needs ClickHouse for the candidates).
	Evaluators []string       `yaml:"evaluators"`
	Retention  Retention      `yaml:"retention"`
	Sampling   SamplingConfig `yaml:"sampling"`
	Analyzer   AnalyzerConfig `yaml:"-"`
	// ExpireElsewhere leaves deleting expired recordings to the retention job of `hotline run`
	// (retention.Job calling Store.Expire); Run then only samples.
	ExpireElsewhere bool `yaml:"-"`
}

// DefaultConfig keeps recordings under dataDir/recordings and reads an admin's scorecard files
// from dataDir/scorecards (none there is fine).
func DefaultConfig(dataDir string) Config {
	return Config{
		RecordingsDir:  filepath.Join(dataDir, "recordings"),
		ScorecardsDir:  filepath.Join(dataDir, "scorecards"),
		DisputeWindow:  DefaultDisputeWindow,
		RetentionEvery: 24 * time.Hour,
		Retention:      DefaultRetention(),
		Sampling:       DefaultSamplingConfig(),
		Analyzer:       DefaultAnalyzerConfig(),
	}
}

// Validate reports every problem, naming the qa.* field.
func (c Config) Validate() error {
	var errs []error
	if c.RecordingsDir == "" {
		errs = append(errs, errors.New("qa.recordings_dir: empty"))
	}
	if c.DisputeWindow <= 0 {
		errs = append(errs, fmt.Errorf("qa.dispute_window: %s is not positive", c.DisputeWindow))
	}
	if c.RetentionEvery < time.Minute {
		errs = append(errs, fmt.Errorf("qa.retention_every: %s is shorter than a minute", c.RetentionEvery))
	}
	for _, err := range []error{c.Retention.Validate(), c.Sampling.Validate(), c.Analyzer.Validate()} {
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
