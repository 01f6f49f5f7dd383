// Package qa is quality assurance of the hotline's calls.
//
//   - Recordings: a content-addressed WAV store (16-bit PCM, 8 or 16 kHz, stereo with the agent
//     left and the customer right, or mono) with retention by campaign type (sales at least five
//     years) and import from a CSV manifest; every store, deletion and access is an event.
//   - Audio analysis: a streaming per-channel voice activity detector (20 ms frames, noise-floor
//     tracking, 300 ms gap bridging) measuring talk, silence, overtalk, hold (music or both sides
//     muted), level and clipping, checked against real recorded speech with known timing.
//   - Synthesis: speech-like stereo recordings of a call timeline, for the simulator.
//   - Scorecards (versioned YAML), server-side scoring with N/A and critical items, evaluations,
//     disputes and blind calibration with Krippendorff's alpha.
//   - Sampling: weekly per-agent quotas, targeted rules and stratified random picks, queued per
//     evaluator.
//   - The HTTP API of all of it, for the QA workbench.
//
// Scorecards published through the API, evaluations with their amendments, disputes and
// resolutions, calibration sessions and sampling assignments are kept in the state file, each
// change committed with its qa.evaluation event (statestore.go); scorecard files are read at
// every start. Recordings are indexed from their JSON sidecars on disk.
package qa
