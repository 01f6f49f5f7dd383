// Package embedkafka runs the in-process Kafka-protocol broker (franz-go's kfake) that
// `hotline run` uses when no brokers are configured. It keeps everything in memory: it is the
// embedded default for trying hotline out, never a store of record.
package embedkafka

import (
	"fmt"

	"github.com/twmb/franz-go/pkg/kfake"
)

// Broker is a running embedded broker.
type Broker struct{ c *kfake.Cluster }

// Start listens on 127.0.0.1:port (0 picks a free port) with the given partitions per new topic.
func Start(port, partitions int) (*Broker, error) {
	c, err := kfake.NewCluster(
		kfake.NumBrokers(1),
		kfake.Ports(port),
		kfake.AllowAutoTopicCreation(),
		kfake.DefaultNumPartitions(partitions),
	)
	if err != nil {
		return nil, fmt.Errorf("starting embedded kafka broker: %w", err)
	}
	return &Broker{c: c}, nil
}

// Addrs are the broker's host:port addresses.
func (b *Broker) Addrs() []string { return b.c.ListenAddrs() }

// Close stops the broker; what it held is gone.
func (b *Broker) Close() { b.c.Close() }
