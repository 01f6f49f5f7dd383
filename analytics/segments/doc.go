// Package segments hands customer segments to marketers: as a list over the API (role
// marketer; phone numbers masked unless a campaign needs them), as Arrow IPC or Parquet files
// (`hotline segments export`), and as a dialer contact list for a campaign. The segmentation
// itself is analytics.Engine.Segment; this package only formats and delivers it. It is its own
// package because Parquet pulls a large dependency tree.
package segments
