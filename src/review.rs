//! Turning documents into AdmissionRequest-shaped reviews, the one input rules see.
