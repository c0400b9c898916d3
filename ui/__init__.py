"""The Qt user interface: staff shell, dialogs, screens and the customer kiosk."""
