//! The content hash that names a flow version: sha256 of the flow's plan in
//! a canonical form that keeps only its meaning.
//!
//! Left out: the doc comment, the locals' names, the optimizer's notes,
//! whether the JIT compiles the filter, and the source spans — so renaming a local, reformatting the file or editing
//! a comment keeps the hash, and any change to what the flow does changes it.

use sha2::{Digest, Sha256};

use super::ir::FlowPlan;

/// `sha256:` and the hex digest of the flow's canonical form; an error if
/// the form cannot be written (never an empty form's hash).
pub fn flow_hash(flow: &FlowPlan) -> Result<String, serde_json::Error> {
    let mut canonical = flow.clone();
    canonical.hash.clear();
    canonical.doc = None;
    canonical.locals.clear();
    canonical.notes.clear();
    if let Some(filter) = &mut canonical.filter {
        // Whether the JIT covers it depends on idflow's version, not on the flow.
        filter.jit = false;
    }
    for step in &mut canonical.steps {
        step.notes.clear();
        step.span = None;
    }
    // serde_json writes struct fields in declaration order and the plan has
    // no hash maps, so equal plans give equal bytes.
    let bytes = serde_json::to_vec(&canonical)?;
    Ok(format!("sha256:{}", hex::encode(Sha256::digest(&bytes))))
}
