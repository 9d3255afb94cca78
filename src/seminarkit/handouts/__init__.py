"""The handout build: plan, worker, execute (papermill), export (nbconvert, weasyprint), site, leak gate."""
