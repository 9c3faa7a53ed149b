Feature: Adding a VMR or an endpoint to a call in progress
  Guide, "Calling an endpoint or VMR from within an existing Skype for Business / Lync video call
  or conference": "You can add an endpoint to a current (in progress) Skype for Business / Lync
  video call or video conference. You do this in the same way as you would add any of your other
  contacts into a current call, such as by dragging and dropping the endpoint from your Contact
  List into your call."
  DESIGN §2: for Parley that is an ordinary incoming call from the Skype for Business side,
  routed like any other.

  Background:
    Given Parley runs the demo configuration
    And Alice uses Skype for Business
    And Carol uses Skype for Business
    And Dave uses a SIP room system at room1@rooms.example.com
    And Alice calls Carol on Skype for Business
    And Carol answers

  Scenario: Two Skype for Business users talk without Parley
    Then Alice and Carol are in a call together

  Scenario: Adding a room system to the call
    When Alice adds room1@rooms.example.com to the call
    Then Dave gets a call from "Alice"
    And Carol sees room1@rooms.example.com join the conversation
    And Alice sees room1@rooms.example.com join the conversation
    And Alice and Carol are still in a call together

  Scenario: Adding a VMR to the call
    Given Erin uses a SIP room system
    And Erin dials meet.bob@example.com
    When Alice adds meet.bob@example.com to the call
    Then Carol sees meet.bob@example.com join the conversation
    And Erin sees Alice

  Scenario: Adding a PIN-protected VMR with the PIN in the address
    Given Erin uses a SIP room system
    And Erin dials meet.alice**1234@example.com
    When Alice adds meet.alice**1234@example.com to the call
    Then Carol sees meet.alice**1234@example.com join the conversation
    And Erin sees Alice

  Scenario: Adding an address nobody can reach leaves the call as it was
    When Alice adds someone@elsewhere.net to the call
    Then Carol does not see someone@elsewhere.net join the conversation
    And Alice and Carol are still in a call together

  Scenario: Adding a contact picked from the list, who shows as Available
    Given Alice adds room1@rooms.example.com to her contacts
    And Alice sees room1@rooms.example.com as Available
    When Alice adds room1@rooms.example.com to the call
    Then Carol sees room1@rooms.example.com join the conversation
