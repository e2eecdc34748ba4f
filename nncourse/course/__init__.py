"""The course around the model: its outline (course.yml), running its notebooks, the command
line, launch links and the website. The model a learner reads is the package's top level."""
