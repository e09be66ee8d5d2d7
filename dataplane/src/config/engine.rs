//! Turning the configuration into the engine's settings.

use portcullis_detection::decode::DecodeOptions;
use std::sync::Arc;

use portcullis_detection::engine::{BlockList, BlockPolicy, EngineConfig, MlAction, MlConfig};
use portcullis_detection::flow::{FlowConfig, FlowTimeouts, ProtoTimeouts};
use portcullis_detection::stream::StreamConfig;
use portcullis_models::spike::SpikeConfig;

use super::{AnomalyAction, Config, Timeouts};

fn proto_timeouts(t: &Timeouts) -> ProtoTimeouts {
    let secs = |v: u64| u32::try_from(v).unwrap_or(u32::MAX);
    ProtoTimeouts {
        new: secs(t.new),
        established: secs(t.established),
        closed: secs(t.closed),
    }
}

impl Config {
    /// The anomaly settings of this configuration.
    pub fn ml_config(&self) -> MlConfig {
        let a = &self.anomaly;
        MlConfig {
            score_every: a.score_every,
            action: match a.action {
                AnomalyAction::Alert => MlAction::Alert,
                AnomalyAction::Drop => MlAction::Drop,
                AnomalyAction::BlockSource => MlAction::BlockSource,
            },
            spikes: a.spikes.then(SpikeConfig::default),
            ..MlConfig::default()
        }
    }

    /// The engine settings of this configuration. `inline` applies drop/reject verdicts;
    /// `validate_checksums` is the outcome of `-k` / `pcap-file.checksum-checks`; `blocks` is
    /// the block list shared by every worker of the process.
    pub fn engine_config(
        &self,
        inline: bool,
        validate_checksums: bool,
        blocks: &Arc<BlockList>,
    ) -> EngineConfig {
        let mut flow = FlowConfig::from_memcap(self.flow.memcap.0);
        flow.midstream = self.stream.midstream;
        flow.timeouts = FlowTimeouts {
            tcp: proto_timeouts(&self.flow_timeouts.tcp),
            udp: proto_timeouts(&self.flow_timeouts.udp),
            icmp: proto_timeouts(&self.flow_timeouts.icmp),
            other: proto_timeouts(&self.flow_timeouts.default),
        };
        let r = &self.stream.reassembly;
        let stream = StreamConfig {
            depth: r.depth.0,
            window_keep: usize::try_from(r.window.0).unwrap_or(usize::MAX),
            memcap: r.memcap.0,
            ..StreamConfig::default()
        };
        EngineConfig {
            decode: DecodeOptions { validate_checksums },
            flow,
            stream,
            stream_checksum_validation: validate_checksums && self.stream.checksum_validation,
            inline,
            block: Some(BlockPolicy {
                list: Arc::clone(blocks),
                duration_secs: self.block.duration,
                sids: self.block.sids.clone(),
                metadata_key: self.block.metadata_key.clone(),
            }),
        }
    }
}
