//! The idflow runtime: it will execute compiled plans against real APIs
//! (dispatcher, executor, HTTP and SMTP connectors, stores, scheduler, webhook
//! server). This crate holds no code yet; it exists so the workspace has its
//! final shape and the runtime's dependencies stay out of the compiler.
